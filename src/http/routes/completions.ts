import type { HttpRequest, HttpResponse } from '../http-types.js';
import { sendJson } from '../json-response.js';
import type { ChatBackend } from '../../core/chat-backend.js';
import type { TextCall } from '../../openai/to-text-request.js';
import { createTextChunkMapper, toOpenAITextCompletion } from '../../openai/to-openai-text-completion.js';
import { newCompletionId, SYSTEM_FINGERPRINT } from '../../openai/openai-ids.js';
import { callContext } from '../locals.js';
import { annotationHeaders, eventObserver, observedFrames, recordUsage, type StreamingDeps } from './streaming-response.js';

export interface CompletionsRouteDeps extends StreamingDeps {
  backend: ChatBackend;
}

/** POST /v1/completions and /beta/completions (DeepSeek-style FIM clients): prompt + optional suffix → /api/generate. */
export function completionsRoute(deps: CompletionsRouteDeps) {
  return async function completions(call: TextCall, req: HttpRequest, res: HttpResponse): Promise<void> {
    const locals = res.locals;
    locals.route = req.url?.startsWith('/beta') === true ? '/beta/completions' : '/v1/completions';
    const { request, stream, includeUsage } = call;
    locals.model = request.model;
    locals.stream = stream;
    deps.authorizeModel?.(locals.principal, request.model);
    const ctx = callContext(locals);
    const meta = { id: newCompletionId(), created: Math.floor(Date.now() / 1000), model: request.model, systemFingerprint: SYSTEM_FINGERPRINT };
    if (!stream) {
      const result = await deps.backend.completeText(request, ctx);
      recordUsage(res, deps.metrics, result.model, result.usage);
      annotationHeaders(res);
      sendJson(res, toOpenAITextCompletion(result, { ...meta, echoPrompt: request.echo ? request.prompt : undefined }));
      return;
    }
    const chunks = createTextChunkMapper({ ...meta, includeUsage, echoPrompt: request.echo ? request.prompt : undefined });
    await deps.writeSseFrom(res, deps.backend.streamText(request, ctx), observedFrames(eventObserver(res, deps.metrics, meta), chunks), {
      signal: ctx.signal,
      beforeHeaders: () => annotationHeaders(res),
    });
  };
}

import type { ChatBackend } from '../../core/chat-backend.js';
import type { ChatRequest } from '../../core/chat-request.js';
import { createChatChunkMapper } from '../../openai/to-openai-chunks.js';
import { toOpenAICompletion } from '../../openai/to-openai-completion.js';
import { createChunkSerializer } from '../../openai/create-chunk-serializer.js';
import { newChatCompletionId, SYSTEM_FINGERPRINT } from '../../openai/openai-ids.js';
import type { StreamFlags } from '../../openai/stream-flags.js';
import type { HttpResponse } from '../http-types.js';
import { sendJson } from '../json-response.js';
import { callContext } from '../locals.js';
import { annotationHeaders, eventObserver, observedFrames, recordUsage, type StreamingDeps } from './streaming-response.js';

export interface ChatRouteDeps extends StreamingDeps {
  backend: ChatBackend;
}

/**
 * Runs a canonical chat request through the pipeline and answers in OpenAI's shapes: a chat.completion
 * object, or chat.completion.chunk SSE frames. Shared by every route that speaks chat.
 */
export async function answerChat(deps: ChatRouteDeps, res: HttpResponse, request: ChatRequest, flags: StreamFlags, sessionId?: string): Promise<void> {
  const locals = res.locals;
  locals.model = request.model;
  locals.stream = flags.stream;
  deps.authorizeModel?.(locals.principal, request.model);
  const ctx = callContext(locals, sessionId);
  const meta = { id: newChatCompletionId(), created: Math.floor(Date.now() / 1000), model: request.model, systemFingerprint: SYSTEM_FINGERPRINT };
  if (!flags.stream) {
    const result = await deps.backend.complete(request, ctx);
    recordUsage(res, deps.metrics, result.model, result.usage);
    annotationHeaders(res);
    sendJson(res, toOpenAICompletion(result, meta));
    return;
  }
  const streamMeta = { ...meta, includeUsage: flags.includeUsage };
  // Observed and translated inside the SSE writer's loop: no async step per token between backend and socket.
  const frames = observedFrames(eventObserver(res, deps.metrics, meta), createChatChunkMapper(streamMeta));
  await deps.writeSseFrom(res, deps.backend.stream(request, ctx), frames, {
    signal: ctx.signal,
    serialize: createChunkSerializer(streamMeta),
    beforeHeaders: () => annotationHeaders(res),
  });
}

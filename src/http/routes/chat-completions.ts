import type { Request, Response } from 'express';
import type { ChatBackend } from '../../core/chat-backend.js';
import type { ChatEvent } from '../../core/chat-event.js';
import { toChatRequest } from '../../openai/to-chat-request.js';
import { toOpenAIChunks } from '../../openai/to-openai-chunks.js';
import { toOpenAICompletion } from '../../openai/to-openai-completion.js';
import { createChunkSerializer } from '../../openai/create-chunk-serializer.js';
import { newChatCompletionId, SYSTEM_FINGERPRINT } from '../../openai/openai-ids.js';
import { readStreamFlags } from '../../openai/read-stream-flags.js';
import { callContext } from '../locals.js';
import { annotationHeaders, observeEvents, type StreamingDeps } from './streaming-response.js';

export interface ChatRouteDeps extends StreamingDeps {
  backend: ChatBackend;
}

/** POST /v1/chat/completions: OpenAI body → canonical request → backend → chat.completion JSON or SSE chunks. */
export function chatCompletionsRoute(deps: ChatRouteDeps) {
  return async function chatCompletions(req: Request, res: Response): Promise<void> {
    const locals = res.locals;
    locals.route = '/v1/chat/completions';
    const request = toChatRequest(req.body);
    const { stream, includeUsage } = readStreamFlags(req.body);
    locals.model = request.model;
    locals.stream = stream;
    deps.authorizeModel?.(locals.principal, request.model);
    const ctx = callContext(locals, req.get('x-session-id'));
    const meta = { id: newChatCompletionId(), created: Math.floor(Date.now() / 1000), model: request.model, systemFingerprint: SYSTEM_FINGERPRINT };
    if (!stream) {
      const result = await deps.backend.complete(request, ctx);
      locals.usage = result.usage;
      deps.metrics.tokens(result.model, 'prompt', result.usage.promptTokens);
      deps.metrics.tokens(result.model, 'completion', result.usage.completionTokens);
      annotationHeaders(res);
      res.json(toOpenAICompletion(result, meta));
      return;
    }
    const events: AsyncIterable<ChatEvent> = observeEvents(deps.backend.stream(request, ctx), res, deps.metrics, meta);
    const streamMeta = { ...meta, includeUsage };
    await deps.writeSse(res, toOpenAIChunks(events, streamMeta), {
      signal: ctx.signal,
      serialize: createChunkSerializer(streamMeta),
      beforeHeaders: () => annotationHeaders(res),
    });
  };
}

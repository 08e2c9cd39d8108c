import type { CallContext, ChatBackend } from '../../core/chat-backend.js';
import type { ChatEvent } from '../../core/chat-event.js';
import type { ChatRequest } from '../../core/chat-request.js';
import type { ChatResult } from '../../core/chat-result.js';
import type { StreamEncoder } from '../../core/stream-encoder.js';
import { createChatChunkEncoder } from '../../openai/to-openai-chunks.js';
import { toOpenAICompletion } from '../../openai/to-openai-completion.js';
import { newChatCompletionId, SYSTEM_FINGERPRINT } from '../../openai/openai-ids.js';
import type { StreamFlags } from '../../openai/stream-flags.js';
import type { HttpResponse } from '../http-types.js';
import { sendJson } from '../json-response.js';
import { callContext } from '../locals.js';
import { annotationHeaders, chatStreamTap, recordUsage, type StreamingDeps } from './generation-metrics.js';

export interface ChatRouteDeps extends StreamingDeps {
  backend: ChatBackend;
}

/** What differs between the routes that generate (chat, text completions, Responses, Messages): their protocol. */
export interface Generation {
  /** The model the client asked for. */
  model: string;
  stream: boolean;
  sessionId?: string | undefined;
  complete(ctx: CallContext): Promise<ChatResult>;
  events(ctx: CallContext): AsyncIterable<ChatEvent>;
  /** The JSON answer to a finished call (a promise when the route stores it first). */
  body(result: ChatResult): unknown;
  /** The protocol's stream encoder, one per stream. */
  encoder(): StreamEncoder<ChatEvent>;
  /** Runs before a stream's finish event is written; a promise holds the stream until it settles. */
  onFinish?(event: Extract<ChatEvent, { type: 'finish' }>): void | Promise<void>;
}

/**
 * Runs one generation through the pipeline (the route has checked the model against the caller's allow-list), answered as one JSON body or as the
 * protocol's stream (writeStream with its encoder; metrics and usage seen on the way).
 */
export async function answerGeneration(deps: StreamingDeps, res: HttpResponse, generation: Generation): Promise<void> {
  const locals = res.locals;
  locals.model = generation.model;
  locals.stream = generation.stream;
  const ctx = callContext(locals, generation.sessionId);
  if (!generation.stream) {
    const result = await generation.complete(ctx);
    recordUsage(res, deps.metrics, result.model, result.usage);
    let body = generation.body(result);
    if (body instanceof Promise) body = await body;
    annotationHeaders(res);
    sendJson(res, body);
    return;
  }
  await deps.writeStream(res, generation.events(ctx), generation.encoder(), {
    beforeHeaders: () => annotationHeaders(res),
    tap: chatStreamTap(res, deps.metrics, generation.model, generation.onFinish),
  });
}

/**
 * A canonical chat request answered in OpenAI's shapes: a chat.completion object, or chat.completion.chunk SSE
 * frames. Shared by every route that speaks chat.
 */
export function answerChat(deps: ChatRouteDeps, res: HttpResponse, request: ChatRequest, flags: StreamFlags, sessionId?: string): Promise<void> {
  const meta = { id: newChatCompletionId(), created: Math.floor(Date.now() / 1000), model: request.model, systemFingerprint: SYSTEM_FINGERPRINT };
  return answerGeneration(deps, res, {
    model: request.model,
    stream: flags.stream,
    sessionId,
    complete: (ctx) => deps.backend.complete(request, ctx),
    events: (ctx) => deps.backend.stream(request, ctx),
    body: (result) => toOpenAICompletion(result, meta),
    encoder: () => createChatChunkEncoder({ ...meta, includeUsage: flags.includeUsage }),
  });
}

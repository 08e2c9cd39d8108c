import type { ChatEvent } from './chat-event.js';
import type { ChatRequest, EmbeddingRequest, TextRequest } from './chat-request.js';
import type { ChatResult, EmbeddingResult, ModelInfo } from './chat-result.js';
import type { Logger } from './logger.js';
import type { Principal } from './principal.js';

export interface CallContext {
  /** Aborted when the client goes away; must reach the upstream so it stops generating. */
  signal: AbortSignal;
  requestId: string;
  principal: Principal;
  sessionId?: string;
  logger: Logger;
  /** Stages may leave facts here for the HTTP layer (e.g. cache status, for the X-Cache header). */
  annotations: Map<string, string>;
  /** The client's `Cache-Control` request directives for the response cache; absent means neither. */
  cacheControl?: CacheControl;
}

export interface CacheControl {
  /** Skip the lookup: the client wants a fresh answer (it may still be stored). */
  noCache: boolean;
  /** Do not store this answer. */
  noStore: boolean;
}

/** One generation backend. Text completions reuse the chat result and events (content = the completion). */
export interface ChatBackend {
  complete(request: ChatRequest, ctx: CallContext): Promise<ChatResult>;
  stream(request: ChatRequest, ctx: CallContext): AsyncIterable<ChatEvent>;
  completeText(request: TextRequest, ctx: CallContext): Promise<ChatResult>;
  streamText(request: TextRequest, ctx: CallContext): AsyncIterable<ChatEvent>;
  embed(request: EmbeddingRequest, ctx: CallContext): Promise<EmbeddingResult>;
  /** Installed models; also the readiness probe. */
  listModels(ctx: CallContext): Promise<ModelInfo[]>;
}

import type { CallOutcome } from './call-outcome.js';
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
  /** What the stages learn about the call (resolved model, cache status, host…), for the HTTP layer. */
  outcome: CallOutcome;
  /** The client's `Cache-Control` request directives for the response cache; absent means neither. */
  cacheControl?: CacheControl;
}

export interface CacheControl {
  /** Skip the lookup: the client wants a fresh answer (it may still be stored). */
  noCache: boolean;
  /** Do not store this answer. */
  noStore: boolean;
}

// Narrow ports: a consumer or a stage names the one it uses. Method names are the route code's vocabulary.

/** Chat generation (OpenAI chat completions, Responses, Anthropic Messages). */
export interface ChatPort {
  complete(request: ChatRequest, ctx: CallContext): Promise<ChatResult>;
  stream(request: ChatRequest, ctx: CallContext): AsyncIterable<ChatEvent>;
}

/** Raw-prompt generation (legacy completions); the result and events are the chat ones (content = the completion). */
export interface TextPort {
  completeText(request: TextRequest, ctx: CallContext): Promise<ChatResult>;
  streamText(request: TextRequest, ctx: CallContext): AsyncIterable<ChatEvent>;
}

export interface EmbeddingPort {
  embed(request: EmbeddingRequest, ctx: CallContext): Promise<EmbeddingResult>;
}

export interface CatalogPort {
  /** Installed models; also the readiness probe. */
  listModels(ctx: CallContext): Promise<ModelInfo[]>;
}

/** Every port: what the upstream implements and what the composed pipeline hands to the routes. */
export type ChatBackend = ChatPort & TextPort & EmbeddingPort & CatalogPort;

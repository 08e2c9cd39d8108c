import type { CallContext, ChatBackend } from './chat-backend.js';
import type { ChatEvent } from './chat-event.js';
import type { ChatRequest, EmbeddingRequest, TextRequest } from './chat-request.js';
import type { ChatResult, EmbeddingResult, ModelInfo } from './chat-result.js';
import { deferStream } from './defer-stream.js';
import { withFirstEvent } from './with-first-event.js';

// A pipeline stage says what it does (transform requests, wrap some calls) and defineChatMiddleware builds the
// backend around `next` from that: every port method it does not wrap is `next`'s own, called directly.
// No async generator is added per event: a stream the stage does not wrap is `next`'s stream itself.

/** A stage around the backend: given the next one, the backend the stage above calls. */
export type ChatMiddleware = (next: ChatBackend) => ChatBackend;

/** A request that names a model: what transformRequest sees (chat, text completion or embedding). */
export type ModelRequest = ChatRequest | TextRequest | EmbeddingRequest;

/** One port method of the next stage, bound to it. */
export type NextCall<R, T> = (request: R, ctx: CallContext) => T;

export interface ChatMiddlewareSpec {
  /**
   * Every chat, text and embedding request on its way down. Return the request unchanged when there is
   * nothing to do; a synchronous answer costs no promise. A throw is the call's error.
   */
  transformRequest?<R extends ModelRequest>(request: R, ctx: CallContext): R | Promise<R>;
  /**
   * An error from the stages below (for a stream: before its first event, while the status can still change),
   * with the request as this stage received it. Throw the error to report instead (or the same one).
   */
  mapError?(error: unknown, request: ModelRequest, ctx: CallContext): Promise<never>;
  wrapComplete?(request: ChatRequest, ctx: CallContext, next: NextCall<ChatRequest, Promise<ChatResult>>): Promise<ChatResult>;
  wrapStream?(request: ChatRequest, ctx: CallContext, next: NextCall<ChatRequest, AsyncIterable<ChatEvent>>): AsyncIterable<ChatEvent>;
  wrapCompleteText?(request: TextRequest, ctx: CallContext, next: NextCall<TextRequest, Promise<ChatResult>>): Promise<ChatResult>;
  wrapStreamText?(request: TextRequest, ctx: CallContext, next: NextCall<TextRequest, AsyncIterable<ChatEvent>>): AsyncIterable<ChatEvent>;
  wrapEmbed?(request: EmbeddingRequest, ctx: CallContext, next: NextCall<EmbeddingRequest, Promise<EmbeddingResult>>): Promise<EmbeddingResult>;
  wrapListModels?(ctx: CallContext, next: (ctx: CallContext) => Promise<ModelInfo[]>): Promise<ModelInfo[]>;
}

/**
 * A stage from what it does. Pass a function of `next` when the stage keeps state per backend (a cache of
 * the model list, a summarizer that calls the next stage). Calls through the result never throw synchronously:
 * a failure is a rejected promise or a stream that fails on its first pull.
 */
export function defineChatMiddleware(spec: ChatMiddlewareSpec | ((next: ChatBackend) => ChatMiddlewareSpec)): ChatMiddleware {
  return (next) => {
    const stage = typeof spec === 'function' ? spec(next) : spec;
    const listModels = next.listModels.bind(next);
    const wrapList = stage.wrapListModels?.bind(stage);
    return {
      complete: promiseCall(stage, next.complete.bind(next), stage.wrapComplete?.bind(stage)),
      stream: streamCall(stage, next.stream.bind(next), stage.wrapStream?.bind(stage)),
      completeText: promiseCall(stage, next.completeText.bind(next), stage.wrapCompleteText?.bind(stage)),
      streamText: streamCall(stage, next.streamText.bind(next), stage.wrapStreamText?.bind(stage)),
      embed: promiseCall(stage, next.embed.bind(next), stage.wrapEmbed?.bind(stage)),
      listModels: wrapList ? (ctx) => wrapList(ctx, listModels) : listModels,
    };
  };
}

/** composeBackend(backend, a, b) → a(b(backend)): the first middleware is the outermost. */
export function composeBackend(backend: ChatBackend, ...middlewares: ChatMiddleware[]): ChatBackend {
  return middlewares.reduceRight<ChatBackend>((next, middleware) => middleware(next), backend);
}

type Wrap<R, T> = (request: R, ctx: CallContext, next: NextCall<R, T>) => T;

function promiseCall<R extends ModelRequest, T>(stage: ChatMiddlewareSpec, next: NextCall<R, Promise<T>>, wrap?: Wrap<R, Promise<T>>): NextCall<R, Promise<T>> {
  const inner: NextCall<R, Promise<T>> = wrap ? (request, ctx) => wrap(request, ctx, next) : next;
  const transform = stage.transformRequest?.bind(stage);
  const mapError = stage.mapError?.bind(stage);
  if (!transform && !mapError && !wrap) return next;
  return (request, ctx) => {
    let result: Promise<T>;
    try {
      const prepared = transform ? transform(request, ctx) : request;
      result = prepared instanceof Promise ? prepared.then((ready) => inner(ready, ctx)) : inner(prepared, ctx);
    } catch (error) {
      return Promise.reject(error);
    }
    return mapError ? result.catch((error: unknown) => mapError(error, request, ctx)) : result;
  };
}

function streamCall<R extends ModelRequest>(
  stage: ChatMiddlewareSpec,
  next: NextCall<R, AsyncIterable<ChatEvent>>,
  wrap?: Wrap<R, AsyncIterable<ChatEvent>>,
): NextCall<R, AsyncIterable<ChatEvent>> {
  const inner: NextCall<R, AsyncIterable<ChatEvent>> = wrap ? (request, ctx) => wrap(request, ctx, next) : next;
  const transform = stage.transformRequest?.bind(stage);
  const mapError = stage.mapError?.bind(stage);
  if (!transform && !mapError && !wrap) return next;
  return (request, ctx) => {
    let prepared: R | Promise<R>;
    try {
      prepared = transform ? transform(request, ctx) : request;
      if (!mapError && !(prepared instanceof Promise)) return inner(prepared, ctx);
    } catch (error) {
      return failedStream(error);
    }
    // Set up on the first pull, as a plain stream would be; a failed set-up is that pull's error.
    const ready = prepared;
    if (ready instanceof Promise) ready.catch(() => undefined);
    if (!mapError) return deferStream(async () => inner(await ready, ctx));
    return deferStream(async () => withFirstEvent(inner(await ready, ctx), (error) => mapError(error, request, ctx)));
  };
}

/** A stream whose first pull fails with `error`. */
function failedStream<E>(error: unknown): AsyncIterable<E> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => Promise.reject(error),
      return: (value?: unknown) => Promise.resolve({ done: true, value: value as E }),
    }),
  };
}

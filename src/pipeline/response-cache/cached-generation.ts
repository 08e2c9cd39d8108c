import type { CacheStatus } from '../../core/call-outcome.js';
import type { CallContext } from '../../core/chat-backend.js';
import { foldEvents, replayEvents, type ChatEvent } from '../../core/chat-event.js';
import type { SamplingOptions } from '../../core/chat-request.js';
import type { ChatResult } from '../../core/chat-result.js';
import { cacheScope, isCacheable, type CachePolicy } from '../request-fingerprint.js';
import { asCacheHit, fromStoredResult, toStoredResult } from './cached-result.js';
import { SharedEventCall, SharedResultCall, type SharedCall } from './shared-call.js';
import type { TieredCache } from './tiered-cache.js';
import { deferStream } from '../../core/defer-stream.js';

export type CacheLookupResult = CacheStatus | 'error';

/** One kind of generation (chat or text completion) as the cache sees it. */
export interface Generation<R> {
  fingerprint(request: R, scope: string): string;
  sampling(request: R): SamplingOptions;
  complete(request: R, ctx: CallContext): Promise<ChatResult>;
  stream(request: R, ctx: CallContext): AsyncIterable<ChatEvent>;
}

export interface CachedGenerationDeps {
  cache: TieredCache;
  policy: CachePolicy;
  shareAcrossKeys: boolean;
  onLookup: (result: CacheLookupResult) => void;
}

/** Where an answer comes from: the store, a shared upstream call (led or joined), or straight upstream. */
type Source =
  | { kind: 'stored'; result: ChatResult }
  | { kind: 'shared'; call: SharedCall; isJoined: boolean }
  | { kind: 'upstream'; storeKey: string | undefined };

interface CacheState<R> {
  generation: Generation<R>;
  deps: CachedGenerationDeps;
  /** Upstream calls in flight, by fingerprint: identical requests join them. */
  calls: Map<string, SharedCall>;
}

/** Wraps one generation kind with lookup, coalescing and write-back; the same stored entry serves both shapes. */
export function cachedGeneration<R>(generation: Generation<R>, deps: CachedGenerationDeps) {
  const state: CacheState<R> = { generation, deps, calls: new Map() };
  // A request the policy does not cache (the common case under `deterministic`) goes straight upstream: no
  // promise, and its stream is the upstream's own.
  const bypass = (request: R, ctx: CallContext): boolean => {
    if (isCacheable(generation.sampling(request), deps.policy)) return false;
    annotate(state, ctx, 'bypass');
    return true;
  };
  return {
    complete: async (request: R, ctx: CallContext): Promise<ChatResult> =>
      bypass(request, ctx) ? generation.complete(request, ctx) : completeFrom(state, await open(state, request, ctx, false), request, ctx),
    stream: (request: R, ctx: CallContext): AsyncIterable<ChatEvent> =>
      bypass(request, ctx) ? generation.stream(request, ctx) : deferStream(async () => streamFrom(state, await open(state, request, ctx, true), request, ctx)),
  };
}

function annotate(state: CacheState<unknown>, ctx: CallContext, status: CacheStatus): void {
  ctx.outcome.cache = status;
  state.deps.onLookup(status);
}

async function store(state: CacheState<unknown>, key: string, result: ChatResult): Promise<void> {
  await state.deps.cache.set(key, toStoredResult(result));
}

async function open<R>(state: CacheState<R>, request: R, ctx: CallContext, isStreaming: boolean): Promise<Source> {
  const { generation, deps, calls } = state;
  const key = generation.fingerprint(request, cacheScope(ctx.principal, deps.shareAcrossKeys));
  const noStore = ctx.cacheControl?.noStore === true;
  if (ctx.cacheControl?.noCache === true) {
    annotate(state, ctx, 'bypass');
    return { kind: 'upstream', storeKey: noStore ? undefined : key };
  }
  const joined = (): Source | undefined => {
    const call = calls.get(key);
    return call ? { kind: 'shared', call, isJoined: true } : undefined;
  };
  // Checked again after the lookup: an identical request may have started its call meanwhile.
  const found = joined() ?? fromStore(await deps.cache.get(key)) ?? joined();
  annotate(state, ctx, found ? 'hit' : 'miss');
  return found ?? { kind: 'shared', call: startCall(state, key, request, ctx, isStreaming, !noStore), isJoined: false };
}

/** The upstream call runs under its own signal (see SharedCall) and leaves the map when it settles. */
function startCall<R>(state: CacheState<R>, key: string, request: R, ctx: CallContext, isStreaming: boolean, shouldStore: boolean): SharedCall {
  const { generation, calls } = state;
  const settled = () => calls.delete(key);
  const callCtx = (signal: AbortSignal): CallContext => ({ ...ctx, signal });
  const write = async (result: ChatResult) => {
    if (shouldStore) await store(state, key, result);
  };
  const call = isStreaming
    ? new SharedEventCall((signal) => generation.stream(request, callCtx(signal)), write, settled)
    : new SharedResultCall(async (signal) => {
        const result = await generation.complete(request, callCtx(signal));
        await write(result);
        return result;
      }, settled);
  calls.set(key, call);
  return call;
}

async function completeFrom<R>(state: CacheState<R>, source: Source, request: R, ctx: CallContext): Promise<ChatResult> {
  switch (source.kind) {
    case 'stored':
      return asCacheHit(source.result);
    case 'shared': {
      const result = await source.call.result(ctx.signal);
      return source.isJoined ? asCacheHit(result) : result;
    }
    case 'upstream': {
      const result = await state.generation.complete(request, ctx);
      if (source.storeKey !== undefined) await store(state, source.storeKey, result);
      return result;
    }
  }
}

function streamFrom<R>(state: CacheState<R>, source: Source, request: R, ctx: CallContext): AsyncIterable<ChatEvent> {
  switch (source.kind) {
    case 'stored':
      return replayEvents(asCacheHit(source.result));
    case 'shared': {
      const events = source.call.events(ctx.signal);
      return source.isJoined ? withCachedUsage(events) : events;
    }
    case 'upstream': {
      const events = state.generation.stream(request, ctx);
      const key = source.storeKey;
      return key === undefined ? events : storeOnFinish(events, (result) => store(state, key, result));
    }
  }
}

function fromStore(value: unknown): Source | undefined {
  const result = value === undefined ? undefined : fromStoredResult(value);
  return result ? { kind: 'stored', result } : undefined;
}

/** Joiners of a shared call spent no tokens of their own, like a stored hit. */
async function* withCachedUsage(events: AsyncIterable<ChatEvent>): AsyncGenerator<ChatEvent> {
  for await (const event of events) {
    yield event.type === 'finish' ? { ...event, usage: { ...event.usage, cachedTokens: event.usage.promptTokens } } : event;
  }
}

/** Passes events through and stores the result when (and only when) the stream reaches `finish`. */
async function* storeOnFinish(events: AsyncIterable<ChatEvent>, write: (result: ChatResult) => Promise<void>): AsyncGenerator<ChatEvent> {
  const seen: ChatEvent[] = [];
  for await (const event of events) {
    seen.push(event);
    if (event.type === 'finish') await write(foldEvents(seen)!);
    yield event;
  }
}

import { defineChatMiddleware, type ChatMiddleware } from '../core/chat-middleware.js';
import type { ChatRequest, TextRequest } from '../core/chat-request.js';
import type { KvStore } from '../stores/kv-store.js';
import { fingerprintChat, fingerprintText, type CachePolicy } from './request-fingerprint.js';
import { cachedEmbeddings } from './response-cache/cached-embeddings.js';
import { cachedGeneration, type CacheLookupResult } from './response-cache/cached-generation.js';
import { createTieredCache } from './response-cache/tiered-cache.js';

export type { CacheLookupResult } from './response-cache/cached-generation.js';

export interface ResponseCacheOptions {
  policy: CachePolicy;
  ttlMs: number;
  /** One cache scope for every key instead of one per key. */
  shareAcrossKeys: boolean;
  /** Fastest first: an in-process memory store bounded in bytes, then Redis when configured. */
  tiers: readonly KvStore[];
  /** Counted as proxy_cache_lookups_total{result}; `error` once per failed tier operation. */
  onLookup?: (result: CacheLookupResult) => void;
  /** A tier failed (e.g. Redis down); the request carries on as a miss. */
  onStoreError?: (error: unknown, tier: KvStore['kind']) => void;
  now?: () => number;
}

/**
 * Next to the backend (only the stop-sequence stage is inside it): answers repeated requests from the cache,
 * shares one upstream call among identical requests in flight, and stores answers (streams only when they
 * finished cleanly). A stored answer serves both streamed and non-streamed callers. X-Cache comes from
 * ctx.outcome.cache.
 */
export function responseCache(options: ResponseCacheOptions): ChatMiddleware {
  if (options.policy === 'off' || options.tiers.length === 0) return (next) => next;
  const onLookup = options.onLookup ?? (() => undefined);
  const cache = createTieredCache({
    tiers: options.tiers,
    ttlMs: options.ttlMs,
    prefix: 'cache:',
    now: options.now ?? Date.now,
    onError: (error, tier) => {
      onLookup('error');
      options.onStoreError?.(error, tier.kind);
    },
  });
  const deps = { cache, policy: options.policy, shareAcrossKeys: options.shareAcrossKeys, onLookup };
  return defineChatMiddleware((next) => {
    const chat = cachedGeneration<ChatRequest>(
      { fingerprint: fingerprintChat, sampling: (request) => request.sampling, complete: next.complete.bind(next), stream: next.stream.bind(next) },
      deps,
    );
    const text = cachedGeneration<TextRequest>(
      { fingerprint: fingerprintText, sampling: (request) => request.sampling, complete: next.completeText.bind(next), stream: next.streamText.bind(next) },
      deps,
    );
    return {
      wrapComplete: chat.complete,
      wrapStream: chat.stream,
      wrapCompleteText: text.complete,
      wrapStreamText: text.stream,
      wrapEmbed: cachedEmbeddings(next.embed.bind(next), deps),
    };
  });
}

import { LRUCache } from 'lru-cache';
import type { Principal } from '../core/principal.js';

// Authenticated credentials, remembered briefly so the hot path skips the store (and, for JWTs, the HMAC).
// An entry never outlives its TTL, the key's expiry, a rotated secret's grace end or a token's `exp`; so a
// key revoked elsewhere (CLI, another instance) stops working within the TTL. Changes made through this
// instance's admin API clear the cache at once.

export interface PrincipalCache {
  get(credentialDigest: string): Principal | undefined;
  /** `validUntil` (epoch ms) caps the entry's life below the TTL. */
  set(credentialDigest: string, principal: Principal, validUntil?: number): void;
  clear(): void;
}

export interface PrincipalCacheOptions {
  /** 0 turns caching off. */
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  principal: Principal;
  validUntil: number;
}

export function createPrincipalCache(options: PrincipalCacheOptions): PrincipalCache {
  const now = options.now ?? Date.now;
  if (options.ttlMs <= 0) return { get: () => undefined, set: () => undefined, clear: () => undefined };
  // Expiry is checked against the injected clock rather than lru-cache's own TTL, so tests can move time.
  const entries = new LRUCache<string, Entry>({ max: options.maxEntries ?? 10_000 });
  return {
    get(digest) {
      const entry = entries.get(digest);
      if (entry === undefined) return undefined;
      if (now() < entry.validUntil) return entry.principal;
      entries.delete(digest);
      return undefined;
    },
    set(digest, principal, validUntil = Number.POSITIVE_INFINITY) {
      entries.set(digest, { principal, validUntil: Math.min(now() + options.ttlMs, validUntil) });
    },
    clear: () => entries.clear(),
  };
}

import { LRUCache } from 'lru-cache';
import type { Principal } from '../core/principal.js';

// Authenticated credentials, remembered briefly so the hot path skips the store (and, for JWTs, the HMAC).
// An entry never outlives its TTL, the key's expiry, a rotated secret's grace end or a token's `exp`.
// Changes made through this instance's admin API clear the cache at once; changes made elsewhere (CLI,
// another instance) clear it when the key store's change watch reports them (well under 1 s). While that
// watch is down the cache is switched off, so the TTL is only a backstop.

export interface PrincipalCache {
  get(credentialDigest: string): Principal | undefined;
  /** `validUntil` (epoch ms) caps the entry's life below the TTL. */
  set(credentialDigest: string, principal: Principal, validUntil?: number): void;
  clear(): void;
  /** Off: nothing is served or remembered (used while changes made elsewhere cannot be seen). */
  setEnabled(enabled: boolean): void;
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
  if (options.ttlMs <= 0) return { get: () => undefined, set: () => undefined, clear: () => undefined, setEnabled: () => undefined };
  // Expiry is checked against the injected clock rather than lru-cache's own TTL, so tests can move time.
  const entries = new LRUCache<string, Entry>({ max: options.maxEntries ?? 10_000 });
  let enabled = true;
  return {
    get(digest) {
      if (!enabled) return undefined;
      const entry = entries.get(digest);
      if (entry === undefined) return undefined;
      if (now() < entry.validUntil) return entry.principal;
      entries.delete(digest);
      return undefined;
    },
    set(digest, principal, validUntil = Number.POSITIVE_INFINITY) {
      if (!enabled) return;
      entries.set(digest, { principal, validUntil: Math.min(now() + options.ttlMs, validUntil) });
    },
    clear: () => entries.clear(),
    setEnabled(value) {
      enabled = value;
      entries.clear();
    },
  };
}

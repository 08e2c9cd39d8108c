import { LRUCache } from 'lru-cache';
import { KvStoreClosedError, toTtlMs, type KvStore } from './kv-store.js';

export interface MemoryKvStoreOptions {
  /** Default 10,000 entries. */
  maxEntries?: number;
  /** Budget for keys plus values, counted as UTF-8 bytes. Default 64 MiB. */
  maxBytes?: number;
  /** Clock for TTLs, in ms. Defaults to `Date.now()` read at call time, so fake timers apply. */
  now?: () => number;
}

export const MEMORY_KV_DEFAULTS = { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024 } as const;

/**
 * Bounded by default (unlike an unbounded object map): the least recently used entries are evicted when
 * either limit is reached, and a single entry larger than `maxBytes` is not stored at all.
 */
export function createMemoryKvStore(options: MemoryKvStoreOptions = {}): KvStore {
  const now = options.now ?? (() => Date.now());
  const cache = new LRUCache<string, string>({
    max: options.maxEntries ?? MEMORY_KV_DEFAULTS.maxEntries,
    maxSize: options.maxBytes ?? MEMORY_KV_DEFAULTS.maxBytes,
    // lru-cache wants a positive integer; an empty key and value still occupy a slot.
    sizeCalculation: (value, key) => Math.max(1, Buffer.byteLength(key) + Buffer.byteLength(value)),
    perf: { now },
    // The default (1 ms) memoises the clock behind a real setTimeout, which hides jumps of an injected clock.
    ttlResolution: 0,
  });
  return new MemoryKvStore(cache);
}

class MemoryKvStore implements KvStore {
  readonly kind = 'memory' as const;
  private isClosed = false;

  constructor(private readonly cache: LRUCache<string, string>) {}

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    return this.cache.get(key);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.assertOpen();
    this.write(key, value, toTtlMs(ttlMs));
  }

  async delete(key: string): Promise<void> {
    this.assertOpen();
    this.cache.delete(key);
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    this.assertOpen();
    const ttl = toTtlMs(ttlMs);
    // has() treats expired entries as absent; check and write run in one synchronous turn, hence atomic.
    if (this.cache.has(key)) return false;
    this.write(key, value, ttl);
    return this.cache.has(key);
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.isClosed = true;
    this.cache.clear();
  }

  private write(key: string, value: string, ttl: number | undefined): void {
    // ttl 0 tells lru-cache "no expiry", overriding any earlier TTL for this key.
    this.cache.set(key, value, { ttl: ttl ?? 0 });
  }

  private assertOpen(): void {
    if (this.isClosed) throw new KvStoreClosedError(this.kind);
  }
}

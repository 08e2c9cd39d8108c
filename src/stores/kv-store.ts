// The string key-value port behind the response cache and session memory. Callers add their own key
// prefixes (`cache:`, `session:`) and JSON (de)serialisation; adapters only move strings.

export type KvStoreKind = 'memory' | 'redis' | 'sqlite';

export interface KvStore {
  readonly kind: KvStoreKind;
  /** Undefined when the key is missing or its TTL has passed. */
  get(key: string): Promise<string | undefined>;
  /** Overwrites; `ttlMs` omitted means the entry never expires (the memory adapter may still evict it). */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Atomic: sets only when the key is absent (or expired); true when this call set it (locks, coalescing). */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  /** Resolves when the backing store answers; rejects with the reason otherwise (health checks). */
  ping(signal?: AbortSignal): Promise<void>;
  /** Idempotent; every other method rejects afterwards. */
  close(): Promise<void>;
}

/**
 * Every adapter accepts the same TTLs: a positive, finite number of milliseconds, rounded up to a whole
 * millisecond (Redis PX takes integers). Anything else is a caller bug, so it throws instead of storing forever.
 */
export function toTtlMs(ttlMs: number | undefined): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs must be a positive number, got ${ttlMs}`);
  return Math.ceil(ttlMs);
}

export class KvStoreClosedError extends Error {
  constructor(kind: KvStoreKind) {
    super(`The ${kind} key-value store is closed`);
    this.name = 'KvStoreClosedError';
  }
}

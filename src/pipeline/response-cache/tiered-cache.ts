import type { KvStore } from '../../stores/kv-store.js';

export interface TieredCacheOptions {
  /** Fastest first: the in-process memory store, then Redis when configured. */
  tiers: readonly KvStore[];
  ttlMs: number;
  /** Key prefix inside every tier (stores are shared with other features). */
  prefix: string;
  /** A tier failed (Redis down): the caller sees a miss or a skipped write. */
  onError: (error: unknown, tier: KvStore) => void;
  now: () => number;
}

export interface TieredCache {
  /** The stored JSON value, or undefined on a miss in every tier (or when the tiers failed). */
  get(key: string): Promise<unknown>;
  /** Writes every tier; failures are reported through onError, never thrown. */
  set(key: string, value: unknown): Promise<void>;
}

interface Entry {
  /** Epoch ms; kept in the entry so a hit in a slower tier can refill a faster one with the time left. */
  expiresAt: number;
  value: unknown;
}

/** Looks tiers up in order, refills the faster tiers on a slower tier's hit, and writes all tiers. */
export function createTieredCache(options: TieredCacheOptions): TieredCache {
  const { tiers, prefix, onError, now } = options;
  const read = async (tier: KvStore, key: string): Promise<Entry | undefined> => {
    try {
      const text = await tier.get(prefix + key);
      if (text === undefined) return undefined;
      const entry = JSON.parse(text) as Entry;
      return entry.expiresAt > now() ? entry : undefined;
    } catch (error) {
      onError(error, tier);
      return undefined;
    }
  };
  const write = async (tier: KvStore, key: string, text: string, ttlMs: number): Promise<void> => {
    try {
      await tier.set(prefix + key, text, ttlMs);
    } catch (error) {
      onError(error, tier);
    }
  };
  return {
    async get(key) {
      for (let index = 0; index < tiers.length; index++) {
        const entry = await read(tiers[index]!, key);
        if (!entry) continue;
        const left = entry.expiresAt - now();
        if (index > 0 && left > 0) {
          const text = JSON.stringify(entry);
          await Promise.all(tiers.slice(0, index).map((tier) => write(tier, key, text, left)));
        }
        return entry.value;
      }
      return undefined;
    },
    async set(key, value) {
      const entry: Entry = { expiresAt: now() + options.ttlMs, value };
      const text = JSON.stringify(entry);
      await Promise.all(tiers.map((tier) => write(tier, key, text, options.ttlMs)));
    },
  };
}

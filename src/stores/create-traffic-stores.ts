import type { Store } from 'express-rate-limit';
import { Redis } from 'ioredis';
import type { KvStore } from './kv-store.js';
import type { LimitStore } from './limit-store.js';
import { createMemoryKvStore } from './memory-kv-store.js';
import { createMemoryLimitStore } from './memory-limit-store.js';
import { watchRedis, type RedisHealth } from './redis-health.js';
import { createRedisKvStore } from './redis-kv-store.js';
import { createRedisLimitStore } from './redis-limit-store.js';
import { RedisRequestStore } from './redis-request-store.js';

export interface TrafficStoresOptions {
  /** With a URL, limits and the cache's second tier live in Redis, shared by every instance using it. */
  redisUrl?: string | undefined;
  /** Prefix for every Redis key (instances that share state use the same one). */
  keyPrefix: string;
  /** Budget of the in-process cache tier. */
  cacheMaxBytes: number;
  /** Redis went away or came back; reported once per change, not per failed command. */
  onRedisChange?: (state: 'down' | 'up', error?: Error) => void;
}

export interface TrafficStores {
  limits: LimitStore;
  /** express-rate-limit's request counter; undefined means its own MemoryStore (one process). */
  requestStore: Store | undefined;
  /** Response cache tiers, fastest first. */
  cacheTiers: KvStore[];
  close(): Promise<void>;
}

/** Builds the stores behind rate limits and the response cache: memory only, or memory + one Redis client. */
export function createTrafficStores(options: TrafficStoresOptions): TrafficStores {
  const memoryCache = createMemoryKvStore({ maxBytes: options.cacheMaxBytes, maxEntries: 50_000 });
  if (!options.redisUrl) {
    const limits = createMemoryLimitStore();
    return { limits, requestStore: undefined, cacheTiers: [memoryCache], close: async () => void (await Promise.all([limits.close(), memoryCache.close()])) };
  }
  let isClosing = false;
  // Same failure bounds as the Redis KvStore adapter: a command never waits longer than a second.
  const client = new Redis(options.redisUrl, { commandTimeout: 1000, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  const health = watchRedis(client, (state, error) => {
    if (!isClosing) options.onRedisChange?.(state, error);
  });
  const redisCache = guardedKvStore(createRedisKvStore({ client, keyPrefix: options.keyPrefix }), health);
  return {
    limits: createRedisLimitStore({ client, health, keyPrefix: options.keyPrefix }),
    requestStore: new RedisRequestStore(client, health, `${options.keyPrefix}rpm:`),
    cacheTiers: [memoryCache, redisCache],
    async close() {
      isClosing = true;
      await Promise.all([memoryCache.close(), redisCache.close()]);
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}

/** The cache tier fails at once while Redis is away (the response cache then serves a miss). */
function guardedKvStore(store: KvStore, health: RedisHealth): KvStore {
  const guarded = <A extends unknown[], R>(method: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    health.assertUsable();
    return method(...args);
  };
  return {
    kind: store.kind,
    get: guarded(store.get.bind(store)),
    set: guarded(store.set.bind(store)),
    delete: guarded(store.delete.bind(store)),
    setIfAbsent: guarded(store.setIfAbsent.bind(store)),
    ping: store.ping.bind(store),
    close: store.close.bind(store),
  };
}

import type { KvStore } from './kv-store.js';
import { createMemoryKvStore } from './memory-kv-store.js';

export type KvStoreSpec =
  | { kind: 'memory'; maxEntries?: number; maxBytes?: number }
  | { kind: 'redis'; url: string; keyPrefix?: string; onError?: (error: Error) => void }
  | { kind: 'sqlite'; path: string };

/** Redis and SQLite drivers are imported on demand, so a deployment loads only the one it uses. */
export async function createKvStore(spec: KvStoreSpec): Promise<KvStore> {
  switch (spec.kind) {
    case 'memory': {
      const { kind: _kind, ...options } = spec;
      return createMemoryKvStore(options);
    }
    case 'redis': {
      const { createRedisKvStore } = await import('./redis-kv-store.js');
      const { kind: _kind, ...options } = spec;
      return createRedisKvStore(options);
    }
    case 'sqlite': {
      const { createSqliteKvStore } = await import('./sqlite-kv-store.js');
      return createSqliteKvStore({ path: spec.path });
    }
  }
}

import type { KvStore } from '../../stores/kv-store.js';
import { sessionKey } from './session-store.js';

// The key-value port cannot enumerate keys (Redis would need SCAN, the memory LRU has no prefix listing), so the
// admin list of sessions comes from watching writes: every session this instance saved since it started, newest
// last, bounded. Entries whose record has since expired are dropped when the list is read.

const PREFIX = sessionKey('');

export interface SessionIndex {
  /** The store with its `session:` writes and deletes recorded. */
  observe(kv: KvStore): KvStore;
  /** Known session ids, most recently written first. */
  ids(): string[];
  forget(id: string): void;
}

export function createSessionIndex({ maxEntries = 10_000 }: { maxEntries?: number } = {}): SessionIndex {
  // A Map iterates in insertion order: re-inserting on write keeps the newest at the end.
  const seen = new Map<string, true>();
  const touch = (key: string) => {
    if (!key.startsWith(PREFIX)) return;
    const id = key.slice(PREFIX.length);
    seen.delete(id);
    seen.set(id, true);
    if (seen.size > maxEntries) seen.delete(seen.keys().next().value!);
  };
  const drop = (key: string) => {
    if (key.startsWith(PREFIX)) seen.delete(key.slice(PREFIX.length));
  };
  return {
    observe(kv) {
      return {
        kind: kv.kind,
        get: (key: string) => kv.get(key),
        async set(key: string, value: string, ttlMs?: number) {
          await kv.set(key, value, ttlMs);
          touch(key);
        },
        async delete(key: string) {
          await kv.delete(key);
          drop(key);
        },
        async setIfAbsent(key: string, value: string, ttlMs?: number) {
          const isSet = await kv.setIfAbsent(key, value, ttlMs);
          if (isSet) touch(key);
          return isSet;
        },
        ping: (signal?: AbortSignal) => kv.ping(signal),
        close: () => kv.close(),
      };
    },
    ids: () => [...seen.keys()].reverse(),
    forget: (id) => void seen.delete(id),
  };
}

import { randomUUID } from 'node:crypto';
import type { KvStore } from '../../stores/kv-store.js';

// A lease on a key in a shared KvStore (Redis, an SQLite file): the mutual exclusion several proxy
// instances need. Taken with setIfAbsent + TTL, so a crashed holder frees it when the TTL runs out;
// a live holder renews it every third of the TTL. Renewal and release read before they write (the
// KvStore has no compare-and-set): a holder that stalls past its TTL may clobber its successor, which
// the renewal period makes unlikely.

export interface Lease {
  release(): Promise<void>;
}

export async function tryLease(kv: KvStore, key: string, ttlMs: number): Promise<Lease | undefined> {
  const token = randomUUID();
  if (!(await kv.setIfAbsent(key, token, ttlMs))) return undefined;
  const renew = async () => {
    if ((await kv.get(key)) === token) await kv.set(key, token, ttlMs);
  };
  const timer = setInterval(() => void renew().catch(() => undefined), Math.max(1, Math.floor(ttlMs / 3)));
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      try {
        if ((await kv.get(key)) === token) await kv.delete(key);
      } catch {
        // The store is unreachable: the TTL frees the lease.
      }
    },
  };
}

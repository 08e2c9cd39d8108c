import { setTimeout as sleep } from 'node:timers/promises';
import { ProxyError } from '../../core/errors.js';
import type { KvStore } from '../../stores/kv-store.js';
import { tryLease, type Lease } from './kv-lease.js';
import { sessionStoreUnavailable } from './session-store.js';

/** Requests in one session run one at a time, in arrival order; release() lets the next one in. */
export interface SessionLock {
  acquire(id: string, signal: AbortSignal): Promise<() => Promise<void>>;
}

export interface SessionLockOptions {
  /** A store other instances share; without it the in-process queue alone serializes. */
  shared?: KvStore;
  /** TTL of the shared lease (renewed while held). Default 30 s. */
  leaseTtlMs?: number;
  /** Longest wait for a turn before answering 503. Default 10 min (a long generation holds the session). */
  maxWaitMs?: number;
}

const lockKey = (id: string): string => `session-lock:${id}`;

function sessionBusy(): ProxyError {
  return new ProxyError('service_unavailable', 'The session is busy with another request; retry shortly.', {
    headers: { 'retry-after': '1' },
  });
}

/** Waits for `turn`, giving up (with the signal's reason) when the client leaves, or when the wait is too long. */
function waitTurn(turn: Promise<void>, signal: AbortSignal, maxWaitMs: number): Promise<void> {
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => finish(() => reject(signal.reason));
    const timer = setTimeout(() => finish(() => reject(sessionBusy())), maxWaitMs);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      settle();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void turn.then(() => finish(resolve));
  });
}

/** Polls setIfAbsent with growing, jittered pauses; instances do not see each other's arrival order. */
async function leaseShared(kv: KvStore, id: string, signal: AbortSignal, ttlMs: number, maxWaitMs: number) {
  const deadline = Date.now() + maxWaitMs;
  let pause = 10;
  for (;;) {
    let lease: Lease | undefined;
    try {
      lease = await tryLease(kv, lockKey(id), ttlMs);
    } catch (error) {
      throw sessionStoreUnavailable(error);
    }
    if (lease) return lease;
    if (Date.now() + pause > deadline) throw sessionBusy();
    await sleep(pause * (0.5 + Math.random()), undefined, { signal }).catch((error: unknown) => {
      throw signal.aborted ? signal.reason : error;
    });
    pause = Math.min(pause * 2, 250);
  }
}

export function createSessionLock(options: SessionLockOptions = {}): SessionLock {
  const ttlMs = options.leaseTtlMs ?? 30_000;
  const maxWaitMs = options.maxWaitMs ?? 600_000;
  const tails = new Map<string, Promise<void>>();
  return {
    async acquire(id, signal) {
      const previous = tails.get(id) ?? Promise.resolve();
      let leave!: () => void;
      const mine = new Promise<void>((resolve) => (leave = resolve));
      // A caller that gives up still passes its place on only after its predecessor is done.
      const tail = previous.then(() => mine);
      tails.set(id, tail);
      void tail.then(() => tails.get(id) === tail && tails.delete(id));
      try {
        await waitTurn(previous, signal, maxWaitMs);
        const lease = options.shared ? await leaseShared(options.shared, id, signal, ttlMs, maxWaitMs) : undefined;
        let isReleased = false;
        return async () => {
          if (isReleased) return;
          isReleased = true;
          await lease?.release();
          leave();
        };
      } catch (error) {
        leave();
        throw error;
      }
    },
  };
}

import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createSessionLock } from '../../../../src/pipeline/session-memory/session-lock.js';
import { createMemoryKvStore } from '../../../../src/stores/memory-kv-store.js';

const never = new AbortController().signal;

describe('createSessionLock', () => {
  it('lets requests of one session in one at a time, in arrival order', async () => {
    const lock = createSessionLock();
    const order: string[] = [];
    const run = async (name: string) => {
      const release = await lock.acquire('s', never);
      order.push(`${name} in`);
      await sleep(5);
      order.push(`${name} out`);
      await release();
    };
    await Promise.all([run('a'), run('b'), run('c')]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });

  it('does not make different sessions wait for each other', async () => {
    const lock = createSessionLock();
    await lock.acquire('s1', never);
    const release = await lock.acquire('s2', never);
    await release();
  });

  it('drops a waiter whose client left, and the queue moves on behind it', async () => {
    const lock = createSessionLock();
    const first = await lock.acquire('s', never);
    const leaving = new AbortController();
    const waiting = lock.acquire('s', leaving.signal);
    const third = lock.acquire('s', never);
    leaving.abort(new Error('client disconnected'));
    await expect(waiting).rejects.toThrow('client disconnected');
    await first();
    await (await third)();
  });

  it('answers 503 when the wait is too long', async () => {
    const lock = createSessionLock({ maxWaitMs: 20 });
    await lock.acquire('s', never);
    await expect(lock.acquire('s', never)).rejects.toMatchObject({ status: 503, code: 'service_unavailable' });
  });

  it('serializes two instances through a shared store', async () => {
    const shared = createMemoryKvStore();
    const [a, b] = [createSessionLock({ shared }), createSessionLock({ shared })];
    const releaseA = await a.acquire('s', never);
    let bIn = false;
    const waitingB = b.acquire('s', never).then((release) => {
      bIn = true;
      return release;
    });
    await sleep(50);
    expect(bIn).toBe(false);
    await releaseA();
    await (await waitingB)();
    expect(bIn).toBe(true);
    expect(await shared.get('session-lock:s')).toBeUndefined();
  });
});

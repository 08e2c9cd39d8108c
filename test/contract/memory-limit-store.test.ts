import { describe, expect, it } from 'vitest';
import { createMemoryLimitStore } from '../../src/stores/memory-limit-store.js';
import { limitStoreContract } from './limit-store.contract.js';

limitStoreContract('memory', async () => {
  let offset = 0;
  return {
    store: createMemoryLimitStore({ now: () => Date.now() + offset }),
    advanceClock: (ms) => void (offset += ms),
    cleanup: async () => undefined,
  };
});

describe('memory LimitStore', () => {
  it('starts a new minute window once the old one is over', async () => {
    let now = Date.UTC(2025, 0, 15, 12, 0, 0);
    const store = createMemoryLimitStore({ now: () => now });
    await store.reserveTokens('a', 90, { perMinute: 100 });
    expect((await store.reserveTokens('a', 20, { perMinute: 100 })).ok).toBe(false);
    now += 60_000;
    expect((await store.reserveTokens('a', 20, { perMinute: 100 })).ok).toBe(true);
  });

  it('starts the day quota again at midnight UTC and the month quota on the first', async () => {
    let now = Date.UTC(2025, 0, 31, 23, 59, 0);
    const store = createMemoryLimitStore({ now: () => now });
    await store.reserveTokens('a', 100, {});
    expect(await store.reserveTokens('a', 1, { perDay: 100 })).toMatchObject({ ok: false, exceeded: 'day' });
    now = Date.UTC(2025, 1, 1, 0, 0, 1);
    const usage = (await store.readUsage('a')).tokens;
    expect([usage.day.used, usage.month.used]).toEqual([0, 0]);
    expect(usage.month.resetsAt).toBe(Date.UTC(2025, 2, 1));
  });
});

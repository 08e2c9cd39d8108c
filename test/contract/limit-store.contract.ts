import { afterEach, describe, expect, it } from 'vitest';
import type { LimitStore } from '../../src/stores/limit-store.js';

export interface LimitStoreFixture {
  store: LimitStore;
  /** Moves the store's clock (stream leases are scored with it). */
  advanceClock(ms: number): void;
  cleanup(): Promise<void>;
}

/** The behaviour every LimitStore adapter shares (memory, Redis). */
export function limitStoreContract(name: string, make: () => Promise<LimitStoreFixture>): void {
  describe(`LimitStore contract: ${name}`, () => {
    let fixture: LimitStoreFixture | undefined;
    const open = async () => (fixture = await make());
    afterEach(async () => {
      await fixture?.store.close();
      await fixture?.cleanup();
      fixture = undefined;
    });

    it('adds a reservation to the minute, day and month counters', async () => {
      const { store } = await open();
      const reservation = await store.reserveTokens('a', 30, { perMinute: 100 });
      expect(reservation.ok).toBe(true);
      const usage = await store.readUsage('a');
      expect([usage.tokens.minute.used, usage.tokens.day.used, usage.tokens.month.used]).toEqual([30, 30, 30]);
      expect(usage.tokens.minute.resetsAt).toBeGreaterThan(Date.now());
    });

    it('keeps identities apart', async () => {
      const { store } = await open();
      await store.reserveTokens('a', 30, {});
      expect((await store.readUsage('b')).tokens.minute.used).toBe(0);
    });

    it('refuses an estimate that does not fit the rest of the minute window, without charging it', async () => {
      const { store } = await open();
      await store.reserveTokens('a', 80, { perMinute: 100 });
      const refused = await store.reserveTokens('a', 30, { perMinute: 100 });
      expect(refused).toMatchObject({ ok: false, exceeded: 'minute' });
      expect(refused.usage.minute.used).toBe(80);
      expect((await store.reserveTokens('a', 20, { perMinute: 100 })).ok).toBe(true);
    });

    it('admits one oversized request into an empty window, so a large max_tokens cannot block forever', async () => {
      const { store } = await open();
      expect((await store.reserveTokens('a', 500, { perMinute: 100 })).ok).toBe(true);
      expect((await store.reserveTokens('a', 1, { perMinute: 100 })).ok).toBe(false);
    });

    it('never refuses an estimate of 0 (a read)', async () => {
      const { store } = await open();
      await store.reserveTokens('a', 500, { perMinute: 100, perDay: 100 });
      const read = await store.reserveTokens('a', 0, { perMinute: 100, perDay: 100 });
      expect(read.ok).toBe(true);
      expect(read.usage.day.used).toBe(500);
    });

    it('replaces the reservation with the real count when settled', async () => {
      const { store } = await open();
      const reservation = await store.reserveTokens('a', 50, { perMinute: 100 });
      if (!reservation.ok) throw new Error('expected a reservation');
      await store.settleTokens(reservation.ticket, 12);
      expect((await store.readUsage('a')).tokens.minute.used).toBe(12);
      const second = await store.reserveTokens('a', 10, {});
      if (!second.ok) throw new Error('expected a reservation');
      await store.settleTokens(second.ticket, 25);
      const usage = await store.readUsage('a');
      expect([usage.tokens.minute.used, usage.tokens.day.used, usage.tokens.month.used]).toEqual([37, 37, 37]);
    });

    it('refuses with quota_exceeded kinds once the day or month quota is used up', async () => {
      const { store } = await open();
      await store.reserveTokens('a', 60, { perDay: 100 });
      await store.reserveTokens('a', 40, { perDay: 100 });
      expect(await store.reserveTokens('a', 1, { perDay: 100 })).toMatchObject({ ok: false, exceeded: 'day' });
      expect(await store.reserveTokens('a', 1, { perMonth: 100 })).toMatchObject({ ok: false, exceeded: 'month' });
      const refused = await store.reserveTokens('a', 1, { perDay: 100 });
      expect(refused.usage.day.resetsAt).toBeGreaterThan(Date.now());
      expect(refused.usage.day.resetsAt).toBeLessThanOrEqual(Date.now() + 86_400_000);
    });

    it('lets exactly the fitting reservations through when they race', async () => {
      const { store } = await open();
      await store.reserveTokens('a', 10, { perMinute: 100 });
      const results = await Promise.all(Array.from({ length: 20 }, () => store.reserveTokens('a', 10, { perMinute: 100 })));
      expect(results.filter((result) => result.ok)).toHaveLength(9);
      expect((await store.readUsage('a')).tokens.minute.used).toBe(100);
    });

    it('grants stream leases up to the limit and frees one on release', async () => {
      const { store } = await open();
      const first = await store.acquireStream('a', 2, 60_000);
      const second = await store.acquireStream('a', 2, 60_000);
      const third = await store.acquireStream('a', 2, 60_000);
      expect([first.ok, second.ok, third.ok]).toEqual([true, true, false]);
      expect(third.active).toBe(2);
      expect((await store.readUsage('a')).streams).toBe(2);
      await store.releaseStream('a', first.lease);
      expect((await store.acquireStream('a', 2, 60_000)).ok).toBe(true);
    });

    it('drops a lease that was not renewed in time, and keeps a renewed one', async () => {
      const { store, advanceClock } = await open();
      const kept = await store.acquireStream('a', 2, 1_000);
      await store.acquireStream('a', 2, 1_000);
      advanceClock(600);
      await store.renewStream('a', kept.lease, 1_000);
      advanceClock(600);
      expect((await store.readUsage('a')).streams).toBe(1);
      expect((await store.acquireStream('a', 2, 1_000)).ok).toBe(true);
      expect((await store.acquireStream('a', 2, 1_000)).ok).toBe(false);
    });

    it('grants exactly `limit` leases when acquisitions race', async () => {
      const { store } = await open();
      const results = await Promise.all(Array.from({ length: 10 }, () => store.acquireStream('a', 3, 60_000)));
      expect(results.filter((result) => result.ok)).toHaveLength(3);
    });
  });
}

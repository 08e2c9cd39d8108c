import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KvStore } from '../../src/stores/kv-store.js';

// The behaviour every KvStore adapter must share (undici's cache-store test pattern). Each adapter's test
// file passes a factory for a fresh, empty store plus a way to move its clock forward; the suite closes the
// store and calls cleanup after each test. TTLs here are long (1 s) and clocks move in wide steps, so an
// adapter that simulates time (Redis adjusts PTTLs) has plenty of margin.

export interface KvStoreFixture {
  store: KvStore;
  /** Make `ms` milliseconds pass for the store's TTL clock. */
  advance(ms: number): Promise<void> | void;
  cleanup(): Promise<void> | void;
}

const TTL = 1000;
const DAY = 86_400_000;

export function kvStoreContract(name: string, makeStore: () => Promise<KvStoreFixture>): void {
  describe(`KvStore contract: ${name}`, () => {
    let fixture: KvStoreFixture;
    let store: KvStore;
    const advance = async (ms: number): Promise<void> => fixture.advance(ms);

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterEach(async () => {
      await store.close();
      await fixture.cleanup();
    });

    describe('get, set and delete', () => {
      it('returns undefined for a key that was never set', async () => {
        expect(await store.get('missing')).toBeUndefined();
      });

      it('returns the value that was set', async () => {
        await store.set('greeting', 'hello');
        expect(await store.get('greeting')).toBe('hello');
      });

      it('replaces the value when a key is set again', async () => {
        await store.set('k', 'first');
        await store.set('k', 'second');
        expect(await store.get('k')).toBe('second');
      });

      it('stores an empty string as a value distinct from a missing key', async () => {
        await store.set('empty', '');
        expect(await store.get('empty')).toBe('');
      });

      it('keeps keys that differ only in case or punctuation apart', async () => {
        await Promise.all([store.set('Key', 'upper'), store.set('key', 'lower'), store.set('key:', 'colon')]);
        expect([await store.get('Key'), await store.get('key'), await store.get('key:')]).toEqual(['upper', 'lower', 'colon']);
      });

      it('forgets a deleted key and leaves the others', async () => {
        await store.set('a', '1');
        await store.set('b', '2');
        await store.delete('a');
        expect(await store.get('a')).toBeUndefined();
        expect(await store.get('b')).toBe('2');
      });

      it('treats deleting a missing key as a no-op', async () => {
        await expect(store.delete('missing')).resolves.toBeUndefined();
      });
    });

    describe('values', () => {
      it('round-trips unicode in keys and values unchanged', async () => {
        const value = 'DeepSeek 深度求索 — “quotes” \'single\' \\ 🧠👩‍💻 مرحبا e\u0301\n\ttabs\r\n';
        await store.set('session:用户:🧠', value);
        expect(await store.get('session:用户:🧠')).toBe(value);
      });

      it('round-trips a 1 MB value', async () => {
        const value = 'x'.repeat(1024 * 1024 - 4) + 'end!';
        await store.set('large', value);
        expect(await store.get('large')).toBe(value);
      });

      it('round-trips JSON text exactly', async () => {
        const value = JSON.stringify({ model: 'deepseek-r1:8b', messages: [{ role: 'user', content: 'hi\u2028' }], n: 1.5 });
        await store.set('json', value);
        expect(await store.get('json')).toBe(value);
      });
    });

    describe('TTL', () => {
      it('keeps an entry until its TTL has passed, then forgets it', async () => {
        await store.set('k', 'v', TTL);
        await advance(TTL / 2);
        expect(await store.get('k')).toBe('v');
        await advance(TTL);
        expect(await store.get('k')).toBeUndefined();
      });

      it('never expires an entry set without a TTL', async () => {
        await store.set('k', 'v');
        await advance(30 * DAY);
        expect(await store.get('k')).toBe('v');
      });

      it('drops the old TTL when a key is set again without one', async () => {
        await store.set('k', 'v1', TTL);
        await store.set('k', 'v2');
        await advance(2 * TTL);
        expect(await store.get('k')).toBe('v2');
      });

      it('restarts the TTL when a key is set again with one', async () => {
        await store.set('k', 'v1', TTL);
        await advance(TTL / 2);
        await store.set('k', 'v2', TTL);
        await advance(TTL * 0.7);
        expect(await store.get('k')).toBe('v2');
      });

      it('expires each key on its own deadline', async () => {
        await store.set('short', 's', TTL);
        await store.set('long', 'l', 3 * TTL);
        await advance(2 * TTL);
        expect(await store.get('short')).toBeUndefined();
        expect(await store.get('long')).toBe('l');
      });

      it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('rejects a TTL of %s and stores nothing', async (ttl) => {
        await expect(store.set('k', 'v', ttl)).rejects.toThrow(RangeError);
        await expect(store.setIfAbsent('k', 'v', ttl)).rejects.toThrow(RangeError);
        expect(await store.get('k')).toBeUndefined();
      });
    });

    describe('setIfAbsent', () => {
      it('sets a missing key and reports that it did', async () => {
        expect(await store.setIfAbsent('lock', 'owner-1')).toBe(true);
        expect(await store.get('lock')).toBe('owner-1');
      });

      it('leaves an existing value alone and reports false', async () => {
        await store.setIfAbsent('lock', 'owner-1');
        expect(await store.setIfAbsent('lock', 'owner-2')).toBe(false);
        expect(await store.get('lock')).toBe('owner-1');
      });

      it('does not overwrite a value written by set', async () => {
        await store.set('lock', 'plain');
        expect(await store.setIfAbsent('lock', 'owner-2', TTL)).toBe(false);
        await advance(2 * TTL);
        expect(await store.get('lock')).toBe('plain');
      });

      it('succeeds again after the key is deleted', async () => {
        await store.setIfAbsent('lock', 'owner-1');
        await store.delete('lock');
        expect(await store.setIfAbsent('lock', 'owner-2')).toBe(true);
        expect(await store.get('lock')).toBe('owner-2');
      });

      it('succeeds again after the entry expires, and applies its own TTL', async () => {
        expect(await store.setIfAbsent('lock', 'owner-1', TTL)).toBe(true);
        await advance(TTL / 2);
        expect(await store.setIfAbsent('lock', 'owner-2', TTL)).toBe(false);
        await advance(TTL);
        expect(await store.setIfAbsent('lock', 'owner-3', TTL)).toBe(true);
        expect(await store.get('lock')).toBe('owner-3');
        await advance(2 * TTL);
        expect(await store.get('lock')).toBeUndefined();
      });

      it('lets exactly one of several concurrent callers win', async () => {
        const results = await Promise.all(
          ['a', 'b', 'c', 'd', 'e'].map((owner) => store.setIfAbsent('lock', owner, 10 * TTL)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = ['a', 'b', 'c', 'd', 'e'][results.indexOf(true)];
        expect(await store.get('lock')).toBe(winner);
      });
    });

    describe('ping and close', () => {
      it('answers a ping while open', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('rejects operations after close, and closing twice is harmless', async () => {
        await store.set('k', 'v');
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
        await expect(store.get('k')).rejects.toThrow();
        await expect(store.set('k', 'v')).rejects.toThrow();
        await expect(store.setIfAbsent('other', 'v')).rejects.toThrow();
        await expect(store.ping()).rejects.toThrow();
      });
    });
  });
}

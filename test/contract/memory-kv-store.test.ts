import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKvStore } from '../../src/stores/create-kv-store.js';
import { MEMORY_KV_DEFAULTS, createMemoryKvStore } from '../../src/stores/memory-kv-store.js';
import { kvStoreContract } from './kv-store.contract.js';

kvStoreContract('memory', async () => {
  let clock = 1_700_000_000_000;
  return {
    store: createMemoryKvStore({ now: () => clock }),
    advance: (ms) => {
      clock += ms;
    },
    cleanup: () => undefined,
  };
});

describe('memory KvStore limits', () => {
  it('evicts the least recently used entry once maxEntries is reached', async () => {
    const store = createMemoryKvStore({ maxEntries: 2 });
    await store.set('a', '1');
    await store.set('b', '2');
    await store.set('c', '3');
    expect([await store.get('a'), await store.get('b'), await store.get('c')]).toEqual([undefined, '2', '3']);
  });

  it('counts a read as use, so the entry read last survives eviction', async () => {
    const store = createMemoryKvStore({ maxEntries: 2 });
    await store.set('a', '1');
    await store.set('b', '2');
    await store.get('a');
    await store.set('c', '3');
    expect([await store.get('a'), await store.get('b'), await store.get('c')]).toEqual(['1', undefined, '3']);
  });

  it('evicts the oldest entries once keys plus values exceed maxBytes', async () => {
    const store = createMemoryKvStore({ maxBytes: 10 });
    await store.set('a', '1234');
    await store.set('b', '1234');
    await store.set('c', '1234');
    expect([await store.get('a'), await store.get('b'), await store.get('c')]).toEqual([undefined, '1234', '1234']);
  });

  it('counts multi-byte characters by their UTF-8 size', async () => {
    const store = createMemoryKvStore({ maxBytes: 13 });
    await store.set('a', '€€');
    await store.set('b', '€€');
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBe('€€');
  });

  it('does not keep a value larger than maxBytes, nor the value it replaced', async () => {
    const store = createMemoryKvStore({ maxBytes: 100 });
    await store.set('k', 'small');
    await store.set('k', 'x'.repeat(200));
    expect(await store.get('k')).toBeUndefined();
    expect(await store.setIfAbsent('k', 'y'.repeat(200))).toBe(false);
  });

  it('is bounded by default', async () => {
    const store = createMemoryKvStore();
    for (let i = 0; i <= MEMORY_KV_DEFAULTS.maxEntries; i++) await store.set(`k${i}`, 'v');
    expect(await store.get('k0')).toBeUndefined();
    expect(await store.get(`k${MEMORY_KV_DEFAULTS.maxEntries}`)).toBe('v');
  });
});

describe('memory KvStore clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('follows vitest fake timers when no clock is injected', async () => {
    vi.useFakeTimers();
    const store = createMemoryKvStore();
    await store.set('k', 'v', 1000);
    vi.advanceTimersByTime(999);
    expect(await store.get('k')).toBe('v');
    vi.advanceTimersByTime(2);
    expect(await store.get('k')).toBeUndefined();
  });
});

describe('createKvStore({ kind: "memory" })', () => {
  it('builds a memory store with the given limits', async () => {
    const store = await createKvStore({ kind: 'memory', maxEntries: 1 });
    await store.set('a', '1');
    await store.set('b', '2');
    expect(store.kind).toBe('memory');
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBe('2');
  });
});

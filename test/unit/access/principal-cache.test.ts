import { describe, expect, it } from 'vitest';
import { createPrincipalCache } from '../../../src/access/principal-cache.js';
import type { Principal } from '../../../src/core/principal.js';

const principal: Principal = { id: 'key_a', kind: 'api-key', scopes: ['chat'] };

describe('createPrincipalCache', () => {
  it('remembers a principal for the TTL and no longer', () => {
    let now = 1_000;
    const cache = createPrincipalCache({ ttlMs: 5_000, now: () => now });
    cache.set('d', principal);
    now += 4_999;
    expect(cache.get('d')).toBe(principal);
    now += 1;
    expect(cache.get('d')).toBeUndefined();
  });

  it('never keeps an entry past its own validity (key expiry, grace end, token exp)', () => {
    let now = 1_000;
    const cache = createPrincipalCache({ ttlMs: 5_000, now: () => now });
    cache.set('d', principal, 2_000);
    now = 1_999;
    expect(cache.get('d')).toBe(principal);
    now = 2_000;
    expect(cache.get('d')).toBeUndefined();
  });

  it('forgets everything on clear', () => {
    const cache = createPrincipalCache({ ttlMs: 5_000 });
    cache.set('d', principal);
    cache.clear();
    expect(cache.get('d')).toBeUndefined();
  });

  it('caches nothing with a TTL of 0', () => {
    const cache = createPrincipalCache({ ttlMs: 0 });
    cache.set('d', principal);
    expect(cache.get('d')).toBeUndefined();
  });

  it('stays bounded, dropping the least recently used entry', () => {
    const cache = createPrincipalCache({ ttlMs: 5_000, maxEntries: 2 });
    cache.set('a', principal);
    cache.set('b', principal);
    cache.get('a');
    cache.set('c', principal);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([principal, undefined, principal]);
  });

  it('serves and remembers nothing while disabled (the change watch is down), and starts empty when enabled again', () => {
    const cache = createPrincipalCache({ ttlMs: 5_000 });
    cache.set('a', principal);
    cache.setEnabled(false);
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', principal);
    cache.setEnabled(true);
    expect([cache.get('a'), cache.get('b')]).toEqual([undefined, undefined]);
    cache.set('c', principal);
    expect(cache.get('c')).toBe(principal);
  });
});

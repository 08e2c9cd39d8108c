import { describe, expect, it } from 'vitest';
import { createHostPool } from '../../../src/ollama/host-pool.js';

describe('createHostPool', () => {
  const urls = ['http://a', 'http://b', 'http://c'];

  it('rotates round-robin over the hosts', () => {
    const pool = createHostPool(urls, { cooldownMs: 1000, now: () => 0 });
    expect([pool.candidates()[0], pool.candidates()[0], pool.candidates()[0], pool.candidates()[0]]).toEqual([
      'http://a',
      'http://b',
      'http://c',
      'http://a',
    ]);
  });

  it('tries a host that refused a connection last until its cooldown ends', () => {
    let now = 0;
    const pool = createHostPool(urls, { cooldownMs: 1000, now: () => now });
    pool.markDown('http://a');
    expect(pool.candidates()).toEqual(['http://b', 'http://c', 'http://a']);
    now = 1001;
    expect(pool.candidates()).toEqual(['http://b', 'http://c', 'http://a']);
    expect(pool.candidates()).toEqual(['http://c', 'http://a', 'http://b']);
  });

  it('brings a host back at once when it answers again', () => {
    const pool = createHostPool(urls, { cooldownMs: 1000, now: () => 0 });
    pool.markDown('http://a');
    pool.markUp('http://a');
    expect(pool.candidates()[0]).toBe('http://a');
  });

  it('keeps offering the only host even when it is down', () => {
    const pool = createHostPool(['http://a'], { cooldownMs: 1000, now: () => 0 });
    pool.markDown('http://a');
    expect(pool.candidates()).toEqual(['http://a']);
  });
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emptyHistory } from '../../../../src/pipeline/memory-strategies/memory-strategy.js';
import { createSessionCipher } from '../../../../src/pipeline/session-memory/session-cipher.js';
import type { SessionRecord } from '../../../../src/pipeline/session-memory/session-record.js';
import { createSessionStore, UnreadableSessionError } from '../../../../src/pipeline/session-memory/session-store.js';
import { ProxyError } from '../../../../src/core/errors.js';
import { createMemoryKvStore } from '../../../../src/stores/memory-kv-store.js';
import type { KvStore } from '../../../../src/stores/kv-store.js';

const record: SessionRecord = {
  v: 1,
  owner: 'alice',
  createdAt: 1,
  updatedAt: 2,
  model: 'deepseek-r1:7b',
  history: {
    ...emptyHistory({ strategy: 'sliding', memorySize: 100, windowSize: 50 }),
    turns: [{ id: 1, messages: [{ role: 'user', content: 'my secret is 42' }, { role: 'assistant', content: 'noted' }] }],
    nextTurnId: 2,
  },
};

describe('createSessionStore', () => {
  it('reads back what it wrote', async () => {
    const store = createSessionStore({ kv: createMemoryKvStore(), ttlMs: 60_000 });
    await store.save('s1', record);
    expect(await store.load('s1')).toEqual(record);
    expect(await store.load('other')).toBeUndefined();
  });

  it('forgets a session once it has been idle for the TTL', async () => {
    let now = 0;
    const store = createSessionStore({ kv: createMemoryKvStore({ now: () => now }), ttlMs: 60_000 });
    await store.save('s1', record);
    now = 59_999;
    expect(await store.load('s1')).toBeDefined();
    await store.save('s1', record);
    now += 60_001;
    expect(await store.load('s1')).toBeUndefined();
  });

  it('stores ciphertext, never the conversation, when a key is set', async () => {
    const kv = createMemoryKvStore();
    const store = createSessionStore({ kv, ttlMs: 60_000, cipher: createSessionCipher(randomBytes(32)) });
    await store.save('s1', record);
    const raw = (await kv.get('session:s1'))!;
    expect(raw.startsWith('aes256gcm:')).toBe(true);
    expect(raw).not.toContain('secret');
    expect(raw).not.toContain('alice');
    expect(await store.load('s1')).toEqual(record);
  });

  it('refuses a record sealed under another session id', async () => {
    const kv = createMemoryKvStore();
    const store = createSessionStore({ kv, ttlMs: 60_000, cipher: createSessionCipher(randomBytes(32)) });
    await store.save('s1', record);
    await kv.set('session:s2', (await kv.get('session:s1'))!);
    await expect(store.load('s2')).rejects.toBeInstanceOf(UnreadableSessionError);
  });

  it('refuses plaintext while encryption is on, and ciphertext without the key', async () => {
    const kv = createMemoryKvStore();
    await createSessionStore({ kv, ttlMs: 60_000 }).save('plain', record);
    await createSessionStore({ kv, ttlMs: 60_000, cipher: createSessionCipher(randomBytes(32)) }).save('sealed', record);
    await expect(createSessionStore({ kv, ttlMs: 60_000, cipher: createSessionCipher(randomBytes(32)) }).load('plain')).rejects.toThrow(/not encrypted/);
    await expect(createSessionStore({ kv, ttlMs: 60_000 }).load('sealed')).rejects.toThrow(/ENCRYPTION_KEY/);
  });

  it('rejects a record of the wrong shape', async () => {
    const kv = createMemoryKvStore();
    await kv.set('session:s1', JSON.stringify({ ...record, v: 2 }));
    await expect(createSessionStore({ kv, ttlMs: 60_000 }).load('s1')).rejects.toBeInstanceOf(UnreadableSessionError);
  });

  it('reports an unreachable store as a 503', async () => {
    const kv: KvStore = { ...createMemoryKvStore(), kind: 'redis', get: () => Promise.reject(new Error('ECONNREFUSED')) };
    const error = await createSessionStore({ kv, ttlMs: 60_000 }).load('s1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProxyError);
    expect((error as ProxyError).status).toBe(503);
  });
});

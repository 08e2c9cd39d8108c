import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiKeyRecord, AuditEntry, KeyStore } from '../../src/stores/key-store.js';

// The behaviour every KeyStore adapter must share. Each adapter's test file calls keyStoreContract with a
// factory that returns a fresh, empty store; the suite closes it after each test.

const T0 = new Date('2025-03-01T12:00:00.000Z');
const at = (offsetMs: number): Date => new Date(T0.getTime() + offsetMs);
const HOUR = 3_600_000;

export function makeRecord(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const id = overrides.id ?? `key_${Math.random().toString(36).slice(2, 14)}`;
  return {
    id, name: 'app', hash: `hash-${id}`, prefix: 'sk-abcdefg…', scopes: ['chat'], models: null, tier: null, limits: null,
    metadata: {}, createdAt: T0, expiresAt: null, revokedAt: null, lastUsedAt: null, previousHash: null,
    previousHashExpiresAt: null, ...overrides,
  };
}

function auditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: T0, keyId: 'key_a', route: 'POST /v1/chat/completions', model: 'deepseek-r1:8b', status: 200,
    promptTokens: 10, completionTokens: 20, latencyMs: 12.5, requestId: 'req_1', clientIp: '127.0.0.1', ...overrides,
  };
}

export function keyStoreContract(name: string, makeStore: () => Promise<KeyStore>): void {
  describe(`KeyStore contract: ${name}`, () => {
    let store: KeyStore;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('answers a ping while open and rejects it once closed', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      const other = await makeStore();
      await other.close();
      await expect(other.ping()).rejects.toThrow();
    });

    describe('keys', () => {
      it('returns a created key by id with every field intact', async () => {
        const record = makeRecord({
          scopes: ['chat', 'embeddings'], models: ['deepseek-*', 'qwen3:8b'], tier: 'gold',
          metadata: { team: 'search', nested: { n: 1, list: [true, null] } }, expiresAt: at(HOUR),
          lastUsedAt: at(5), previousHash: 'old', previousHashExpiresAt: at(2 * HOUR),
        });
        await store.create(record);
        expect(await store.get(record.id)).toEqual(record);
      });

      it('returns null for an unknown id', async () => {
        expect(await store.get('key_missing')).toBeNull();
      });

      it('rejects a second key with the same id or the same hash', async () => {
        await store.create(makeRecord({ id: 'key_a', hash: 'h1' }));
        await expect(store.create(makeRecord({ id: 'key_a', hash: 'h2' }))).rejects.toThrow();
        await expect(store.create(makeRecord({ id: 'key_b', hash: 'h1' }))).rejects.toThrow();
        expect(await store.count()).toBe(1);
      });

      it('lists keys oldest first and counts them, revoked ones included', async () => {
        await store.create(makeRecord({ id: 'key_b', createdAt: at(2) }));
        await store.create(makeRecord({ id: 'key_a', createdAt: at(1), revokedAt: at(3) }));
        expect((await store.list()).map((key) => key.id)).toEqual(['key_a', 'key_b']);
        expect(await store.count()).toBe(2);
      });

      it('finds a key by its current hash', async () => {
        await store.create(makeRecord({ id: 'key_a', hash: 'h1' }));
        expect((await store.findByHash('h1', T0))?.id).toBe('key_a');
        expect(await store.findByHash('h2', T0)).toBeNull();
      });

      it('updates only the fields in the patch and can clear nullable ones', async () => {
        await store.create(makeRecord({ id: 'key_a', models: ['a'], tier: 't', expiresAt: at(HOUR) }));
        const updated = await store.update('key_a', { name: 'renamed', models: null, tier: null, expiresAt: null });
        expect(updated).toMatchObject({ name: 'renamed', models: null, tier: null, expiresAt: null, scopes: ['chat'] });
        const again = await store.update('key_a', { scopes: ['admin'], metadata: { k: 'v' }, expiresAt: at(HOUR) });
        expect(again).toMatchObject({ name: 'renamed', scopes: ['admin'], metadata: { k: 'v' }, expiresAt: at(HOUR) });
        expect(await store.get('key_a')).toEqual(again);
      });

      it('keeps a key\'s own rate limits, replaces them on update and clears them with null', async () => {
        await store.create(makeRecord({ id: 'key_l', limits: { requestsPerMinute: 5, tokensPerDay: 1000 } }));
        expect((await store.get('key_l'))?.limits).toEqual({ requestsPerMinute: 5, tokensPerDay: 1000 });
        expect((await store.update('key_l', { limits: { burst: 0 } }))?.limits).toEqual({ burst: 0 });
        expect((await store.update('key_l', { limits: null }))?.limits).toBeNull();
        expect((await store.get('key_l'))?.limits).toBeNull();
      });

      it('returns null when updating, revoking or rotating an unknown key', async () => {
        expect(await store.update('key_missing', { name: 'x' })).toBeNull();
        expect(await store.revoke('key_missing', T0)).toBeNull();
        expect(await store.rotate('key_missing', 'h', 'p', T0)).toBeNull();
      });

      it('keeps the first revocation time', async () => {
        await store.create(makeRecord({ id: 'key_a' }));
        expect((await store.revoke('key_a', at(1)))?.revokedAt).toEqual(at(1));
        expect((await store.revoke('key_a', at(2)))?.revokedAt).toEqual(at(1));
      });

      it('rotates: the old hash keeps working until the grace ends, the new one from now on', async () => {
        await store.create(makeRecord({ id: 'key_a', hash: 'old', prefix: 'sk-old…' }));
        const rotated = await store.rotate('key_a', 'new', 'sk-new…', at(HOUR));
        expect(rotated).toMatchObject({ hash: 'new', prefix: 'sk-new…', previousHash: 'old', previousHashExpiresAt: at(HOUR) });
        expect((await store.findByHash('new', at(2 * HOUR)))?.id).toBe('key_a');
        expect((await store.findByHash('old', at(HOUR - 1)))?.id).toBe('key_a');
        expect(await store.findByHash('old', at(HOUR))).toBeNull();
      });

      it('forgets the first hash after a second rotation', async () => {
        await store.create(makeRecord({ id: 'key_a', hash: 'first' }));
        await store.rotate('key_a', 'second', 'p', at(HOUR));
        await store.rotate('key_a', 'third', 'p', at(HOUR));
        expect(await store.findByHash('first', T0)).toBeNull();
        expect((await store.findByHash('second', T0))?.id).toBe('key_a');
      });

      it('creates a first key only while the store is empty, even when asked twice at once', async () => {
        const results = await Promise.all([
          store.createIfEmpty(makeRecord({ id: 'key_first', hash: 'h1' })),
          store.createIfEmpty(makeRecord({ id: 'key_second', hash: 'h2' })),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.count()).toBe(1);
        expect(await store.createIfEmpty(makeRecord({ id: 'key_third', hash: 'h3' }))).toBe(false);
      });

      it('records last use without ever moving it backwards', async () => {
        await store.create(makeRecord({ id: 'key_a' }));
        await store.touch('key_a', at(10));
        await store.touch('key_a', at(5));
        expect((await store.get('key_a'))?.lastUsedAt).toEqual(at(10));
      });
    });

    describe('usage', () => {
      it('adds increments for the same key, day and model', async () => {
        const base = { keyId: 'key_a', day: '2025-03-01', model: 'm', requests: 1, promptTokens: 10, completionTokens: 5 };
        await store.recordUsage(base);
        await store.recordUsage({ ...base, promptTokens: 7, completionTokens: 3 });
        expect(await store.usage('key_a')).toEqual([
          { day: '2025-03-01', model: 'm', requests: 2, promptTokens: 17, completionTokens: 8, cachedTokens: 0 },
        ]);
      });

      it('adds up cached prompt tokens, counting a missing figure as 0', async () => {
        const base = { keyId: 'key_a', day: '2025-03-01', model: 'm', requests: 1, promptTokens: 10, completionTokens: 5 };
        await store.recordUsage({ ...base, cachedTokens: 6 });
        await store.recordUsage(base);
        await store.recordRequests({ audit: [], usage: [{ ...base, cachedTokens: 4 }, { ...base, cachedTokens: 1 }] });
        expect((await store.usage('key_a'))[0]).toMatchObject({ requests: 4, promptTokens: 40, cachedTokens: 11 });
      });

      it('returns rows by day and model within inclusive bounds, for that key only', async () => {
        const row = { requests: 1, promptTokens: 1, completionTokens: 1 };
        for (const [day, model] of [['2025-03-03', 'b'], ['2025-03-01', 'a'], ['2025-03-02', 'b'], ['2025-03-02', 'a']]) {
          await store.recordUsage({ keyId: 'key_a', day: day!, model: model!, ...row });
        }
        await store.recordUsage({ keyId: 'key_b', day: '2025-03-02', model: 'a', ...row });
        const rows = await store.usage('key_a', { from: '2025-03-02', to: '2025-03-03' });
        expect(rows.map((r) => `${r.day} ${r.model}`)).toEqual(['2025-03-02 a', '2025-03-02 b', '2025-03-03 b']);
        expect(await store.usage('key_missing')).toEqual([]);
      });
    });

    describe('request batches', () => {
      it('writes audit rows and adds up usage, repeated counters included', async () => {
        const usage = { keyId: 'key_a', day: '2025-03-01', model: 'm', requests: 1, promptTokens: 10, completionTokens: 5 };
        await store.recordUsage(usage);
        await store.recordRequests({
          audit: [auditEntry({ at: at(1), requestId: 'r1' }), auditEntry({ at: at(2), requestId: 'r2', model: null, clientIp: null })],
          usage: [usage, usage, { ...usage, model: 'other' }],
        });
        expect((await store.queryAudit({ limit: 10 })).map((entry) => entry.requestId)).toEqual(['r2', 'r1']);
        expect(await store.usage('key_a')).toEqual([
          { day: '2025-03-01', model: 'm', requests: 3, promptTokens: 30, completionTokens: 15, cachedTokens: 0 },
          { day: '2025-03-01', model: 'other', requests: 1, promptTokens: 10, completionTokens: 5, cachedTokens: 0 },
        ]);
      });

      it('accepts an empty batch', async () => {
        await store.recordRequests({ audit: [], usage: [] });
        expect(await store.queryAudit({ limit: 10 })).toEqual([]);
      });
    });

    describe('audit log', () => {
      it('returns entries newest first with every field intact', async () => {
        const first = auditEntry({ at: at(1), requestId: 'r1', model: null, clientIp: null });
        const second = auditEntry({ at: at(2), requestId: 'r2' });
        await store.appendAudit(first);
        await store.appendAudit(second);
        expect(await store.queryAudit({ limit: 10 })).toEqual([second, first]);
      });

      it('filters by key, model, status and a [from, to) time window, and honours the limit', async () => {
        await store.appendAudit(auditEntry({ at: at(1), requestId: 'r1', keyId: 'key_a', model: 'm1', status: 200 }));
        await store.appendAudit(auditEntry({ at: at(2), requestId: 'r2', keyId: 'key_b', model: 'm1', status: 200 }));
        await store.appendAudit(auditEntry({ at: at(3), requestId: 'r3', keyId: 'key_a', model: 'm2', status: 403 }));
        await store.appendAudit(auditEntry({ at: at(4), requestId: 'r4', keyId: 'key_a', model: 'm1', status: 200 }));
        const ids = async (query: Parameters<KeyStore['queryAudit']>[0]) =>
          (await store.queryAudit(query)).map((entry) => entry.requestId);
        expect(await ids({ keyId: 'key_a', limit: 10 })).toEqual(['r4', 'r3', 'r1']);
        expect(await ids({ model: 'm1', limit: 10 })).toEqual(['r4', 'r2', 'r1']);
        expect(await ids({ status: 403, limit: 10 })).toEqual(['r3']);
        expect(await ids({ from: at(2), to: at(4), limit: 10 })).toEqual(['r3', 'r2']);
        expect(await ids({ limit: 2 })).toEqual(['r4', 'r3']);
      });

      it('prunes entries older than the cut-off and reports how many', async () => {
        await store.appendAudit(auditEntry({ at: at(1), requestId: 'r1' }));
        await store.appendAudit(auditEntry({ at: at(2), requestId: 'r2' }));
        await store.appendAudit(auditEntry({ at: at(3), requestId: 'r3' }));
        expect(await store.pruneAudit(at(3))).toBe(2);
        expect((await store.queryAudit({ limit: 10 })).map((entry) => entry.requestId)).toEqual(['r3']);
      });
    });
  });
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../src/access/api-key.js';
import { createKeyService, type KeyService } from '../../../src/access/key-service.js';
import { InvalidRequestError, NotFoundError, ProxyError } from '../../../src/core/errors.js';
import type { KeyStore } from '../../../src/stores/key-store.js';
import { createSqliteKeyStore } from '../../../src/stores/sqlite-key-store.js';

const HOUR = 3_600_000;
let clock: Date;
let store: KeyStore;
let keys: KeyService;
const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

beforeEach(async () => {
  clock = new Date('2025-03-01T12:00:00Z');
  store = await createSqliteKeyStore({ path: ':memory:' });
  keys = createKeyService({ store, now: () => clock, rotationGraceMs: 72 * HOUR, touchIntervalMs: 60_000 });
});
afterEach(() => store.close());

describe('createKey', () => {
  it('returns the secret once and a public view without any hash', async () => {
    const { key, secret } = await keys.createKey({ name: ' app ', scopes: 'chat,embeddings', models: 'deepseek-*', expiresIn: '72h', tier: 'gold' });
    expect(secret).toMatch(/^sk-/);
    expect(key).toMatchObject({
      name: 'app', scopes: ['chat', 'embeddings'], models: ['deepseek-*'], tier: 'gold', status: 'active',
      expiresAt: new Date(clock.getTime() + 72 * HOUR), prefix: secret.slice(0, 10) + '…',
    });
    expect(JSON.stringify(key)).not.toContain(hashApiKey(secret));
    expect(JSON.stringify(await keys.listKeys())).not.toContain(secret.slice(10));
  });

  it('stores only the hash of the secret', async () => {
    const { key, secret } = await keys.createKey({ name: 'app', scopes: ['chat'] });
    const stored = await store.get(key.id);
    expect(stored?.hash).toBe(hashApiKey(secret));
    expect(JSON.stringify(stored)).not.toContain(secret);
  });

  it.each([
    [{ name: '', scopes: 'chat' }, 'name'],
    [{ name: 'a', scopes: '' }, 'scopes'],
    [{ name: 'a', scopes: 'chat,root' }, 'scopes'],
    [{ name: 'a', scopes: 'chat', expiresIn: 'soon' }, 'expires_in'],
    [{ name: 'a', scopes: 'chat', models: 'a,,b' }, 'models'],
  ])('rejects %j naming %s', async (input, param) => {
    await expect(keys.createKey(input)).rejects.toThrow(expect.objectContaining({ param }));
    await expect(keys.createKey(input)).rejects.toBeInstanceOf(InvalidRequestError);
  });
});

describe('authenticateSecret', () => {
  it('accepts an active key and rejects unknown, malformed, revoked and expired ones', async () => {
    const { key, secret } = await keys.createKey({ name: 'a', scopes: 'chat', expiresIn: '1h' });
    expect((await keys.authenticateSecret(secret))?.id).toBe(key.id);
    expect(await keys.authenticateSecret(`${secret}x`)).toBeNull();
    expect(await keys.authenticateSecret('not-a-key')).toBeNull();
    advance(HOUR);
    expect(await keys.authenticateSecret(secret)).toBeNull();
    const other = await keys.createKey({ name: 'b', scopes: 'chat' });
    await keys.revokeKey(other.key.id);
    expect(await keys.authenticateSecret(other.secret)).toBeNull();
  });

  it('records last use, at most once per interval', async () => {
    const { key, secret } = await keys.createKey({ name: 'a', scopes: 'chat' });
    const first = clock;
    await keys.authenticateSecret(secret);
    advance(30_000);
    await keys.authenticateSecret(secret);
    expect((await keys.getKey(key.id)).lastUsedAt).toEqual(first);
    advance(30_000);
    await keys.authenticateSecret(secret);
    expect((await keys.getKey(key.id)).lastUsedAt).toEqual(clock);
  });
});

describe('rotateKey', () => {
  it('issues a new secret and honours the old one until the grace period ends', async () => {
    const { key, secret: oldSecret } = await keys.createKey({ name: 'a', scopes: 'chat' });
    const rotated = await keys.rotateKey(key.id, 2 * HOUR);
    expect(rotated.secret).not.toBe(oldSecret);
    expect(rotated.key.previousSecretValidUntil).toEqual(new Date(clock.getTime() + 2 * HOUR));
    expect((await keys.authenticateSecret(rotated.secret))?.id).toBe(key.id);
    expect((await keys.authenticateSecret(oldSecret))?.id).toBe(key.id);
    advance(2 * HOUR);
    expect(await keys.authenticateSecret(oldSecret)).toBeNull();
    expect((await keys.authenticateSecret(rotated.secret))?.id).toBe(key.id);
    expect((await keys.getKey(key.id)).previousSecretValidUntil).toBeNull();
  });

  it('uses the configured default grace', async () => {
    const { key } = await keys.createKey({ name: 'a', scopes: 'chat' });
    const rotated = await keys.rotateKey(key.id);
    expect(rotated.key.previousSecretValidUntil).toEqual(new Date(clock.getTime() + 72 * HOUR));
  });

  it('refuses to rotate a revoked key', async () => {
    const { key } = await keys.createKey({ name: 'a', scopes: 'chat' });
    await keys.revokeKey(key.id);
    await expect(keys.rotateKey(key.id)).rejects.toMatchObject({ status: 409 });
    await expect(keys.rotateKey(key.id)).rejects.toBeInstanceOf(ProxyError);
  });
});

describe('updateKey / revokeKey / getKey', () => {
  it('changes only the given settings and can lift an expiry or model list', async () => {
    const { key } = await keys.createKey({ name: 'a', scopes: 'chat', models: 'x', expiresIn: '1h' });
    const updated = await keys.updateKey(key.id, { scopes: ['chat', 'embeddings'], models: null, expiresIn: null });
    expect(updated).toMatchObject({ name: 'a', scopes: ['chat', 'embeddings'], models: null, expiresAt: null });
  });

  it('marks a revoked key as revoked', async () => {
    const { key } = await keys.createKey({ name: 'a', scopes: 'chat' });
    expect(await keys.revokeKey(key.id)).toMatchObject({ status: 'revoked', revokedAt: clock });
  });

  it('reports an unknown id as 404 from every operation', async () => {
    for (const run of [
      () => keys.getKey('key_nope'), () => keys.updateKey('key_nope', { name: 'x' }), () => keys.revokeKey('key_nope'),
      () => keys.rotateKey('key_nope'), () => keys.keyUsage('key_nope'),
    ]) {
      await expect(run()).rejects.toBeInstanceOf(NotFoundError);
    }
  });
});

describe('keyUsage', () => {
  it('returns the store rows and validates day bounds', async () => {
    const { key } = await keys.createKey({ name: 'a', scopes: 'chat' });
    await store.recordUsage({ keyId: key.id, day: '2025-03-01', model: 'm', requests: 2, promptTokens: 3, completionTokens: 4 });
    expect(await keys.keyUsage(key.id, { from: '2025-03-01' })).toEqual([
      { day: '2025-03-01', model: 'm', requests: 2, promptTokens: 3, completionTokens: 4, cachedTokens: 0 },
    ]);
    await expect(keys.keyUsage(key.id, { from: 'yesterday' })).rejects.toThrow(expect.objectContaining({ param: 'from' }));
  });
});

describe('createFirstKey', () => {
  it('creates a key only while the store is empty', async () => {
    expect(await keys.createFirstKey({ name: 'admin', scopes: 'admin' })).not.toBeNull();
    expect(await keys.createFirstKey({ name: 'admin', scopes: 'admin' })).toBeNull();
    expect(await keys.countKeys()).toBe(1);
  });
});

describe('rate-limit tiers', () => {
  it('accepts only configured tier names when tiers are given', async () => {
    const tiered = createKeyService({ store, now: () => clock, tiers: ['default', 'gold'] });
    await expect(tiered.createKey({ name: 'a', scopes: 'chat', tier: 'gold' })).resolves.toBeDefined();
    await expect(tiered.createKey({ name: 'a', scopes: 'chat', tier: 'platinum' })).rejects.toMatchObject({ status: 400, param: 'tier' });
    const { key } = await tiered.createKey({ name: 'a', scopes: 'chat' });
    await expect(tiered.updateKey(key.id, { tier: 'bronze' })).rejects.toThrow(/default, gold/);
    await expect(tiered.updateKey(key.id, { tier: null })).resolves.toMatchObject({ tier: null });
  });
});

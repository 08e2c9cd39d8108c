import jwt from 'jsonwebtoken';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthenticator, type Authenticate } from '../../../src/access/authenticator.js';
import { createKeyService, type KeyService } from '../../../src/access/key-service.js';
import { createTokenService, type TokenService } from '../../../src/access/token-service.js';
import { AuthenticationError } from '../../../src/core/errors.js';
import { ALL_SCOPES } from '../../../src/core/principal.js';
import type { KeyStore } from '../../../src/stores/key-store.js';
import { createSqliteKeyStore } from '../../../src/stores/sqlite-key-store.js';

const JWT_SECRET = 'unit-test-jwt-secret-unit-test-jwt-secret';
const MASTER = 'master-key-for-tests';
let clock: Date;
let store: KeyStore;
let keys: KeyService;
let tokens: TokenService;
let authenticate: Authenticate;

beforeEach(async () => {
  clock = new Date('2025-03-01T12:00:00Z');
  const now = () => clock;
  store = await createSqliteKeyStore({ path: ':memory:' });
  keys = createKeyService({ store, now });
  tokens = createTokenService({ keys, secret: JWT_SECRET, ttlSeconds: 3600, now });
  authenticate = createAuthenticator({ keys, tokens, masterKey: MASTER });
});
afterEach(() => store.close());

describe('createAuthenticator', () => {
  it('turns the master key into an admin principal with every scope', async () => {
    expect(await authenticate(MASTER)).toEqual({ id: 'master', kind: 'master', scopes: ALL_SCOPES });
  });

  it('turns an API key into a principal carrying its scopes, models and tier', async () => {
    const { key, secret } = await keys.createKey({ name: 'a', scopes: 'chat', models: 'deepseek-*', tier: 'gold' });
    expect(await authenticate(secret)).toEqual({ id: key.id, kind: 'api-key', scopes: ['chat'], models: ['deepseek-*'], tier: 'gold' });
  });

  it('leaves models and tier unset for an unrestricted key', async () => {
    const { secret } = await keys.createKey({ name: 'a', scopes: 'chat' });
    const principal = await authenticate(secret);
    expect('models' in principal || 'tier' in principal).toBe(false);
  });

  it.each(['', 'garbage', 'sk-unknownkey', `${MASTER}x`, 'a.b.c'])('rejects %j with a 401', async (bearer) => {
    await expect(authenticate(bearer)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('rejects a revoked API key', async () => {
    const { key, secret } = await keys.createKey({ name: 'a', scopes: 'chat' });
    await keys.revokeKey(key.id);
    await expect(authenticate(secret)).rejects.toMatchObject({ status: 401 });
  });

  it('accepts a token issued for a key, as a jwt principal', async () => {
    const { key } = await keys.createKey({ name: 'a', scopes: 'chat,embeddings' });
    const { token } = await tokens.issueTokenForKey(key.id);
    expect(await authenticate(token)).toMatchObject({ id: key.id, kind: 'jwt', scopes: ['chat', 'embeddings'] });
  });

  it('rejects the token of a key revoked after it was issued', async () => {
    const { key } = await keys.createKey({ name: 'a', scopes: 'chat' });
    const { token } = await tokens.issueTokenForKey(key.id);
    await keys.revokeKey(key.id);
    await expect(authenticate(token)).rejects.toThrow(/revoked/);
  });

  it('narrows a token to the scopes its key still holds', async () => {
    const { key } = await keys.createKey({ name: 'a', scopes: 'chat,embeddings' });
    const { token } = await tokens.issueTokenForKey(key.id);
    await keys.updateKey(key.id, { scopes: 'chat' });
    expect((await authenticate(token)).scopes).toEqual(['chat']);
  });

  it('rejects an expired token', async () => {
    const { key } = await keys.createKey({ name: 'a', scopes: 'chat' });
    const { token } = await tokens.issueTokenForKey(key.id, { ttlSeconds: 60 });
    clock = new Date(clock.getTime() + 120_000);
    await expect(authenticate(token)).rejects.toThrow(/expired/);
  });

  it('rejects a token that claims a key that never existed', async () => {
    const forged = jwt.sign({ sub: 'key_ghost', scope: 'admin', iat: 0, exp: 4e9, jti: 'x' }, JWT_SECRET, { algorithm: 'HS256' });
    await expect(authenticate(forged)).rejects.toBeInstanceOf(AuthenticationError);
  });
});

describe('token service', () => {
  it('exchanges a key id and its secret for a bearer token', async () => {
    const { key, secret } = await keys.createKey({ name: 'a', scopes: 'chat' });
    const issued = await tokens.exchangeCredentials(key.id, secret);
    expect(issued).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
    expect(jwt.decode(issued.token)).toMatchObject({ sub: key.id, scope: 'chat' });
  });

  it('refuses credentials whose secret belongs to another key', async () => {
    const first = await keys.createKey({ name: 'a', scopes: 'chat' });
    const second = await keys.createKey({ name: 'b', scopes: 'admin' });
    await expect(tokens.exchangeCredentials(first.key.id, second.secret)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('refuses scopes the key does not hold, and tokens for revoked or unknown keys', async () => {
    const { key } = await keys.createKey({ name: 'a', scopes: 'chat' });
    await expect(tokens.issueTokenForKey(key.id, { scopes: ['admin'] })).rejects.toMatchObject({ status: 403 });
    await keys.revokeKey(key.id);
    await expect(tokens.issueTokenForKey(key.id)).rejects.toMatchObject({ status: 409 });
    await expect(tokens.issueTokenForKey('key_nope')).rejects.toMatchObject({ status: 404 });
  });
});

describe('rotation (SIGHUP)', () => {
  it('refuses the old master key and accepts the new one at once', async () => {
    const rotating = createAuthenticator({ keys, tokens, masterKey: MASTER });
    rotating.setMasterKey('the-new-master-key');
    await expect(rotating(MASTER)).rejects.toBeInstanceOf(AuthenticationError);
    expect(await rotating('the-new-master-key')).toMatchObject({ kind: 'master' });
    rotating.setMasterKey(undefined);
    await expect(rotating('the-new-master-key')).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('signs with the new JWT secret and verifies old tokens only for the grace period', async () => {
    const { key } = await keys.createKey({ name: 'a', scopes: 'chat' });
    const old = (await tokens.issueTokenForKey(key.id, { ttlSeconds: 7200 })).token;
    tokens.rotateSecret('n'.repeat(40), 60_000);
    const fresh = (await tokens.issueTokenForKey(key.id)).token;
    expect(() => jwt.verify(fresh, 'n'.repeat(40), { ignoreExpiration: true })).not.toThrow();
    expect(await authenticate(old)).toMatchObject({ kind: 'jwt' });
    clock = new Date(clock.getTime() + 60_000);
    await expect(authenticate(old)).rejects.toMatchObject({ status: 401 });
    expect(await authenticate(fresh)).toMatchObject({ kind: 'jwt' });
  });
});

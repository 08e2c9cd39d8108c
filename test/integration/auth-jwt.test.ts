import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakedSecrets, MASTER_KEY, startAccessApp, type AccessApp, type ErrorBody } from '../helpers/access-app.js';
import { dropSchemas, keyStoreBackends } from '../helpers/key-store-backends.js';

// JWT client credentials over real HTTP, on SQLite and PostgreSQL: POST /api/v1/auth, then the token as a
// bearer. Forged tokens (alg none, another algorithm, tampered parts), expired ones and tokens of revoked
// keys are all 401.

const backends = await keyStoreBackends();
afterAll(dropSchemas);

interface TokenBody {
  token: string;
  token_type: string;
  expires_in: number;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(backends)('JWT client credentials over HTTP ($name)', (backend) => {
  let t: AccessApp;
  let jwtSecret: string;
  beforeAll(async () => {
    t = await startAccessApp(backend);
    jwtSecret = t.app.access.secrets[0]!;
  });
  afterAll(() => t.close());

  async function tokenFor(scopes: string[]): Promise<{ id: string; token: string }> {
    const { id, secret } = await t.createKey({ name: 'client', scopes });
    const response = await t.call<TokenBody>('POST', '/api/v1/auth', { body: { client_id: id, secret } });
    expect(response.status).toBe(200);
    return { id, token: response.body.token };
  }

  const expect401 = async (token: string, path = '/v1/models') => {
    const response = await t.call<ErrorBody>('GET', path, { key: token });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('invalid_api_key');
    return response.body.error.message;
  };

  it('exchanges a key id and secret for a Bearer token that works where keys do', async () => {
    const { id, secret } = await t.createKey({ name: 'client', scopes: ['chat', 'models:read'] });
    const response = await t.call<TokenBody>('POST', '/api/v1/auth', { body: { client_id: id, secret, grant_type: 'client_credentials' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({ token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    const claims = jwt.decode(response.body.token, { complete: true })!;
    expect(claims.header.alg).toBe('HS256');
    expect(claims.payload).toMatchObject({ sub: id, scope: 'chat models:read', iat: expect.any(Number), exp: expect.any(Number), jti: expect.any(String) });
    expect((await t.call('GET', '/v1/models', { key: response.body.token })).status).toBe(200);
    expect((await t.chat(response.body.token)).status).toBe(200);
  });

  it('gives a token no more than its key\'s scopes', async () => {
    const { token } = await tokenFor(['chat']);
    const response = await t.call<ErrorBody>('POST', '/v1/embeddings', { key: token, body: { model: 'nomic-embed-text', input: 'x' } });
    expect(response.status).toBe(403);
    expect(response.body.error.message).toContain("'embeddings'");
    expect((await t.call('GET', '/api/v1/keys', { key: token })).status).toBe(403);
  });

  it.each([
    ['an unknown client_id', (id: string, secret: string) => ({ client_id: `${id}x`, secret })],
    ['a wrong secret', (id: string) => ({ client_id: id, secret: 'sk-wrong' })],
  ])('refuses credentials with %s', async (_label, body) => {
    const { id, secret } = await t.createKey({ name: 'client', scopes: ['chat'] });
    const response = await t.call<ErrorBody>('POST', '/api/v1/auth', { body: body(id, secret) });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('invalid_api_key');
  });

  it('refuses the secret of another key', async () => {
    const first = await t.createKey({ name: 'a', scopes: ['chat'] });
    const second = await t.createKey({ name: 'b', scopes: ['admin'] });
    expect((await t.call('POST', '/api/v1/auth', { body: { client_id: first.id, secret: second.secret } })).status).toBe(401);
  });

  it('answers a malformed request body with a 400 naming the field', async () => {
    const response = await t.call<ErrorBody>('POST', '/api/v1/auth', { body: { secret: 'x' } });
    expect(response.status).toBe(400);
    expect(response.body.error.param).toBe('client_id');
  });

  it('refuses a token with alg "none"', async () => {
    const { id } = await tokenFor(['models:read']);
    const now = Math.floor(t.now().getTime() / 1000);
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: id, scope: 'models:read admin', iat: now, exp: now + 60, jti: 'x' })}.`;
    await expect401(unsigned);
  });

  it('refuses a token signed with the right secret but another algorithm', async () => {
    const { id } = await tokenFor(['models:read']);
    const hs512 = jwt.sign({ sub: id, scope: 'models:read', jti: 'x' }, jwtSecret, { algorithm: 'HS512', expiresIn: 60 });
    await expect401(hs512);
  });

  it('refuses an RS256 token, whatever key signed it', async () => {
    const { id } = await tokenFor(['models:read']);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs256 = jwt.sign({ sub: id, scope: 'models:read', jti: 'x' }, privateKey, { algorithm: 'RS256', expiresIn: 60 });
    await expect401(rs256);
  });

  it('refuses a token whose signature or payload was tampered with', async () => {
    const { token } = await tokenFor(['models:read']);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect401(`${header}.${payload}.${flipped}`);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    await expect401(`${header}.${encode({ ...claims, scope: 'models:read admin' })}.${signature}`);
  });

  it('refuses an expired token', async () => {
    const { token } = await tokenFor(['models:read']);
    t.advance(3_600_000 + 6_000);
    expect(await expect401(token)).toMatch(/expired/);
  });

  it('refuses the token of a key revoked after the token was issued', async () => {
    const { id, token } = await tokenFor(['models:read']);
    expect((await t.call('GET', '/v1/models', { key: token })).status).toBe(200);
    expect((await t.call('DELETE', `/api/v1/keys/${id}`, { key: MASTER_KEY })).status).toBe(200);
    expect(await expect401(token)).toMatch(/revoked/);
  });

  it('issues no token for a revoked key', async () => {
    const { id, secret } = await t.createKey({ name: 'client', scopes: ['chat'] });
    await t.call('DELETE', `/api/v1/keys/${id}`, { key: MASTER_KEY });
    expect((await t.call('POST', '/api/v1/auth', { body: { client_id: id, secret } })).status).toBe(401);
  });

  it('never writes a key, a token or the JWT secret into the logs', () => {
    expect(leakedSecrets(t.app.logs, [...t.secrets, jwtSecret])).toEqual([]);
  });
});

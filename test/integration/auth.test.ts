import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { leakedSecrets, MASTER_KEY, startAccessApp, type AccessApp, type ErrorBody, type KeyJson } from '../helpers/access-app.js';
import { dropSchemas, keyStoreBackends } from '../helpers/key-store-backends.js';

// API keys over real HTTP, on SQLite and on PostgreSQL: every way a key can be refused, scopes, model
// allow-lists (aliases included), revocation with the auth cache in place, expiry and rotation grace.

const backends = await keyStoreBackends();
afterAll(dropSchemas);

const CACHE_TTL_MS = 5_000;
const ALIASES = { 'deepseek-r1:fast': 'deepseek-v3.1:671b' };

describe.each(backends)('API keys over HTTP ($name)', (backend) => {
  let t: AccessApp;
  beforeAll(async () => {
    t = await startAccessApp(backend, { env: { KEY_CACHE_TTL_MS: String(CACHE_TTL_MS) }, file: { models: { aliases: ALIASES } } });
  });
  afterAll(() => t.close());

  const expectError = (response: { status: number; body: unknown }, status: number, code: string) => {
    expect(response.status).toBe(status);
    expect((response.body as ErrorBody).error).toMatchObject({ code, type: 'invalid_request_error' });
    return (response.body as ErrorBody).error.message;
  };

  describe('refused credentials', () => {
    it('answers a request without a key with 401 in the OpenAI error shape', async () => {
      const response = await t.call('GET', '/v1/models');
      expect(expectError(response, 401, 'invalid_api_key')).toMatch(/didn't provide an API key/);
      expect(response.headers.get('x-request-id')).toBeTruthy();
    });

    it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer two words', 'sk-no-scheme'])('refuses the malformed header %j with 401', async (header) => {
      const response = await t.call('GET', '/v1/models', { headers: { authorization: header } });
      expectError(response, 401, 'invalid_api_key');
    });

    it.each([
      ['an unknown sk- key', `sk-${randomBytes(32).toString('base64url')}`],
      ['a string that is no key', 'not-a-key-at-all'],
      ['something shaped like a JWT', 'aGVsbG8.d29ybGQ.c2ln'],
      ['the master key with a suffix', `${MASTER_KEY}x`],
    ])('refuses %s with 401', async (_label, key) => {
      expectError(await t.call('GET', '/v1/models', { key }), 401, 'invalid_api_key');
    });

    it('accepts MASTER_KEY as an admin principal', async () => {
      expect((await t.call('GET', '/api/v1/keys', { key: MASTER_KEY })).status).toBe(200);
      expect((await t.chat(MASTER_KEY)).status).toBe(200);
    });

    it('accepts the key in x-api-key too', async () => {
      const { secret } = await t.createKey({ name: 'header', scopes: ['models:read'] });
      expect((await t.call('GET', '/v1/models', { headers: { 'x-api-key': secret } })).status).toBe(200);
    });
  });

  describe('scopes', () => {
    it('lets a key use the routes of its scopes', async () => {
      const { secret } = await t.createKey({ name: 'chat', scopes: ['chat', 'models:read'] });
      expect((await t.chat(secret)).status).toBe(200);
      expect((await t.call('GET', '/v1/models', { key: secret })).status).toBe(200);
    });

    it.each([
      ['POST', '/v1/chat/completions', 'chat', { model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'x' }] }],
      ['POST', '/v1/completions', 'completions', { model: 'deepseek-coder-v2:16b', prompt: 'x' }],
      ['POST', '/v1/embeddings', 'embeddings', { model: 'nomic-embed-text', input: 'x' }],
      ['GET', '/v1/models', 'models:read', undefined],
    ])('%s %s without scope %s is a 403 naming it', async (method, path, scope, body) => {
      const { secret } = await t.createKey({ name: 'narrow', scopes: scope === 'chat' ? ['embeddings'] : ['chat'] });
      const message = expectError(await t.call(method, path, { key: secret, body }), 403, 'forbidden');
      expect(message).toContain(`'${scope}'`);
    });

    it('refuses Ollama\'s native API without the ollama scope, in Ollama\'s error shape', async () => {
      const { secret } = await t.createKey({ name: 'narrow', scopes: ['chat'] });
      const response = await t.call<{ error: string }>('GET', '/api/tags', { key: secret });
      expect(response.status).toBe(403);
      expect(response.body.error).toContain("'ollama'");
    });

    it.each([
      ['GET', '/api/v1/keys'], ['POST', '/api/v1/keys'], ['GET', '/api/v1/keys/key_x'], ['PATCH', '/api/v1/keys/key_x'],
      ['DELETE', '/api/v1/keys/key_x'], ['POST', '/api/v1/keys/key_x/rotate'], ['GET', '/api/v1/keys/key_x/usage'],
      ['GET', '/api/v1/audit'],
    ])('refuses %s %s to a key without admin', async (method, path) => {
      const { secret } = await t.createKey({ name: 'user', scopes: ['chat', 'completions', 'embeddings', 'models:read', 'ollama'] });
      const body = method === 'GET' ? undefined : {};
      const message = expectError(await t.call(method, path, { key: secret, body }), 403, 'forbidden');
      expect(message).toContain("'admin'");
    });
  });

  describe('model allow-lists', () => {
    let restricted: string;
    beforeAll(async () => {
      restricted = (await t.createKey({ name: 'r1 only', scopes: ['chat', 'completions', 'embeddings'], models: ['deepseek-r1:*'] })).secret;
    });

    it('allows a model matching a glob', async () => {
      expect((await t.chat(restricted, 'deepseek-r1:7b')).status).toBe(200);
    });

    it('refuses another model with a 403 naming it', async () => {
      const response = await t.chat(restricted, 'qwen3:8b');
      expect(expectError(response, 403, 'forbidden')).toContain("'qwen3:8b'");
      expect((response.body as ErrorBody).error.param).toBe('model');
    });

    it('refuses other models on completions and embeddings too', async () => {
      const completion = await t.call('POST', '/v1/completions', { key: restricted, body: { model: 'deepseek-coder-v2:16b', prompt: 'x' } });
      expect(expectError(completion, 403, 'forbidden')).toContain("'deepseek-coder-v2:16b'");
      const embedding = await t.call('POST', '/v1/embeddings', { key: restricted, body: { model: 'nomic-embed-text', input: 'x' } });
      expect(expectError(embedding, 403, 'forbidden')).toContain("'nomic-embed-text'");
    });

    it('refuses an alias whose name matches but whose model does not, streaming or not', async () => {
      const plain = await t.chat(restricted, 'deepseek-r1:fast');
      expect(expectError(plain, 403, 'forbidden')).toContain("'deepseek-v3.1:671b'");
      const streamed = await t.call('POST', '/v1/chat/completions', {
        key: restricted,
        body: { model: 'deepseek-r1:fast', stream: true, messages: [{ role: 'user', content: 'x' }] },
      });
      expect(expectError(streamed, 403, 'forbidden')).toContain("'deepseek-v3.1:671b'");
      expect(t.fake.requests.filter((request) => (request.body as { model?: string }).model === 'deepseek-v3.1:671b')).toEqual([]);
    });

    it('checks the requested alias name and the model it resolves to', async () => {
      const familyOnly = await t.chat(restricted, 'deepseek-reasoner');
      expect(expectError(familyOnly, 403, 'forbidden')).toContain("'deepseek-reasoner'");
      const both = (await t.createKey({ name: 'alias', scopes: ['chat'], models: ['deepseek-reasoner', 'deepseek-r1:*'] })).secret;
      expect((await t.chat(both, 'deepseek-reasoner')).status).toBe(200);
    });
  });

  describe('revocation, expiry and rotation', () => {
    it('refuses a key revoked through the admin API at once, although it was just cached', async () => {
      const { id, secret } = await t.createKey({ name: 'doomed', scopes: ['chat'] });
      expect((await t.chat(secret)).status).toBe(200);
      expect((await t.call('DELETE', `/api/v1/keys/${id}`, { key: MASTER_KEY })).status).toBe(200);
      expect(expectError(await t.chat(secret), 401, 'invalid_api_key')).toBeTruthy();
    });

    it('refuses a key revoked elsewhere (the CLI on the same store) within 1 s, well inside the cache TTL', async () => {
      const { id, secret } = await t.createKey({ name: 'revoked by cli', scopes: ['chat'] });
      expect((await t.chat(secret)).status).toBe(200);
      let output = '';
      const code = await runCli(['keys', 'revoke', id], { env: t.env, stdout: (text) => void (output += text), stderr: (text) => void (output += text) });
      expect({ code, output }).toMatchObject({ code: 0 });
      // The store's change watch (PostgreSQL NOTIFY, SQLite data_version) clears the cache; the fake clock stands still.
      const since = performance.now();
      let response = await t.chat(secret);
      while (response.status === 200 && performance.now() - since < 1_000) response = await t.chat(secret);
      expectError(response, 401, 'invalid_api_key');
    });

    it('refuses a key after it expires', async () => {
      const { secret } = await t.createKey({ name: 'short-lived', scopes: ['chat'], expires_in: '1h' });
      expect((await t.chat(secret)).status).toBe(200);
      t.advance(3_600_000);
      expectError(await t.chat(secret), 401, 'invalid_api_key');
    });

    it('keeps the old secret valid during the rotation grace period and not after', async () => {
      const { id, secret: old } = await t.createKey({ name: 'rotating', scopes: ['chat'] });
      const rotated = await t.call<KeyJson & { secret: string }>('POST', `/api/v1/keys/${id}/rotate`, { key: MASTER_KEY, body: { grace_period: '2s' } });
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).not.toBe(old);
      expect((await t.chat(old)).status).toBe(200);
      expect((await t.chat(rotated.body.secret)).status).toBe(200);
      // The grace ends before the cache TTL would: the cached old secret must not outlive it.
      t.advance(2_001);
      expectError(await t.chat(old), 401, 'invalid_api_key');
      expect((await t.chat(rotated.body.secret)).status).toBe(200);
    });

    it('uses the configured grace period (72 h by default) when none is given', async () => {
      const { id, secret: old } = await t.createKey({ name: 'default grace', scopes: ['chat'] });
      const rotated = await t.call<KeyJson>('POST', `/api/v1/keys/${id}/rotate`, { key: MASTER_KEY });
      const graceMs = Date.parse(rotated.body.previous_secret_valid_until!) - t.now().getTime();
      expect(graceMs).toBe(72 * 3_600_000);
      t.advance(71 * 3_600_000);
      expect((await t.chat(old)).status).toBe(200);
      t.advance(3_600_000);
      expectError(await t.chat(old), 401, 'invalid_api_key');
    });
  });

  it('never writes a key, a token or MASTER_KEY into the logs', () => {
    expect(t.app.logs.length).toBeGreaterThan(20);
    expect(t.secrets.length).toBeGreaterThan(10);
    expect(leakedSecrets(t.app.logs, t.secrets)).toEqual([]);
  });
});

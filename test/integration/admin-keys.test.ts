import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakedSecrets, MASTER_KEY, startAccessApp, type AccessApp, type ErrorBody, type KeyJson } from '../helpers/access-app.js';
import { dropSchemas, keyStoreBackends } from '../helpers/key-store-backends.js';

// The admin API (scope admin) over real HTTP, on SQLite and PostgreSQL: create, list, show, update, revoke,
// rotate, usage; validation errors in the OpenAI shape; secrets shown once.

const backends = await keyStoreBackends();
afterAll(dropSchemas);

interface UsageList {
  object: 'list';
  key_id: string;
  data: Array<{ day: string; model: string | null; requests: number; prompt_tokens: number; completion_tokens: number; total_tokens: number }>;
}

interface ChatBody {
  usage: { prompt_tokens: number; completion_tokens: number };
}

describe.each(backends)('admin API over HTTP ($name)', (backend) => {
  let t: AccessApp;
  beforeAll(async () => {
    t = await startAccessApp(backend, { file: { rateLimit: { tiers: { gold: { requestsPerMinute: 100 } } } } });
  });
  afterAll(() => t.close());

  const admin = <T>(method: string, path: string, body?: unknown) => t.call<T>(method, path, { key: MASTER_KEY, body });

  describe('POST /api/v1/keys', () => {
    it('creates a key and returns its secret once, with every setting', async () => {
      const response = await admin<KeyJson>('POST', '/api/v1/keys', {
        name: 'search app', scopes: 'chat,embeddings', models: ['deepseek-*'], expires_in: '30d', tier: 'gold',
        metadata: { team: 'search' },
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const key = response.body;
      expect(key.secret).toMatch(/^sk-[A-Za-z0-9_-]{43,}$/);
      expect(key).toMatchObject({
        object: 'api_key', name: 'search app', scopes: ['chat', 'embeddings'], models: ['deepseek-*'], tier: 'gold',
        metadata: { team: 'search' }, status: 'active', revoked_at: null,
      });
      expect(Date.parse(key.expires_at!) - t.now().getTime()).toBe(30 * 86_400_000);
      expect(key.prefix).toBe(`${key.secret!.slice(0, 10)}…`);
      expect(JSON.stringify(key)).not.toMatch(/hash/);

      const shown = await admin<KeyJson>('GET', `/api/v1/keys/${key.id}`);
      expect(shown.body).toEqual({ ...key, secret: undefined, last_used_at: null });
      const listed = await admin<{ object: string; data: KeyJson[] }>('GET', '/api/v1/keys');
      expect(listed.body.object).toBe('list');
      expect(listed.body.data.map((entry) => entry.id)).toContain(key.id);
      expect(JSON.stringify(listed.body)).not.toContain(key.secret);
    });

    it.each([
      [{ scopes: ['chat'] }, 'name', /Missing required parameter/],
      [{ name: 'x', scopes: ['chat', 'root'] }, 'scopes', /'root'/],
      [{ name: 'x', scopes: [] }, 'scopes', /at least one scope/],
      [{ name: 'x', scopes: ['chat'], models: ['has space'] }, 'models', /no spaces/],
      [{ name: 'x', scopes: ['chat'], expires_in: 'soon' }, 'expires_in', /duration/],
      [{ name: 'x', scopes: ['chat'], expires_at: '2001-01-01T00:00:00Z' }, 'expires_at', /future/],
      [{ name: 'x', scopes: ['chat'], tier: 'platinum' }, 'tier', /platinum/],
      [{ name: 'x', scopes: ['chat'], owner: 'me' }, null, /owner/],
    ])('refuses %j with a 400 naming %s', async (body, param, message) => {
      const response = await admin<ErrorBody>('POST', '/api/v1/keys', body);
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_value', param });
      expect(response.body.error.message).toMatch(message);
    });

    it('answers a body that is not JSON with a 400', async () => {
      const response = await fetch(`${t.app.url}/api/v1/keys`, {
        method: 'POST', headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' }, body: '{nope',
      });
      expect(response.status).toBe(400);
    });
  });

  describe('GET, PATCH, DELETE /api/v1/keys/{id}', () => {
    it('answers an unknown id with a 404 in the OpenAI shape', async () => {
      for (const [method, path] of [['GET', '/api/v1/keys/key_nope'], ['PATCH', '/api/v1/keys/key_nope'], ['DELETE', '/api/v1/keys/key_nope'],
        ['POST', '/api/v1/keys/key_nope/rotate'], ['GET', '/api/v1/keys/key_nope/usage']] as const) {
        const response = await admin<ErrorBody>(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
        expect(response.status, `${method} ${path}`).toBe(404);
        expect(response.body.error.code).toBe('not_found');
      }
    });

    it('updates settings, and the change applies at once even to a cached key', async () => {
      const { id, secret } = await t.createKey({ name: 'app', scopes: ['chat', 'models:read'] });
      expect((await t.chat(secret)).status).toBe(200);
      const updated = await admin<KeyJson>('PATCH', `/api/v1/keys/${id}`, { name: 'renamed', scopes: ['models:read'], models: ['qwen3:*'], expires_in: null });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ name: 'renamed', scopes: ['models:read'], models: ['qwen3:*'], expires_at: null });
      expect(updated.body.secret).toBeUndefined();
      expect((await t.chat(secret)).status).toBe(403);
      const cleared = await admin<KeyJson>('PATCH', `/api/v1/keys/${id}`, { models: null, scopes: 'chat' });
      expect(cleared.body).toMatchObject({ models: null, scopes: ['chat'], name: 'renamed' });
      expect((await t.chat(secret, 'qwen3:8b')).status).toBe(200);
    });

    it('refuses an invalid update with a 400', async () => {
      const { id } = await t.createKey({ name: 'app', scopes: ['chat'] });
      const response = await admin<ErrorBody>('PATCH', `/api/v1/keys/${id}`, { scopes: 'chat,sudo' });
      expect(response.status).toBe(400);
      expect(response.body.error.param).toBe('scopes');
    });

    it('revokes with DELETE and keeps the first revocation time', async () => {
      const { id } = await t.createKey({ name: 'app', scopes: ['chat'] });
      const first = await admin<KeyJson>('DELETE', `/api/v1/keys/${id}`);
      expect(first.body).toMatchObject({ status: 'revoked', revoked_at: t.now().toISOString() });
      t.advance(1_000);
      const second = await admin<KeyJson>('DELETE', `/api/v1/keys/${id}`);
      expect(second.body.revoked_at).toBe(first.body.revoked_at);
    });
  });

  describe('POST /api/v1/keys/{id}/rotate', () => {
    it('returns a new secret once and reports until when the old one works', async () => {
      const { id, secret } = await t.createKey({ name: 'app', scopes: ['chat'] });
      const rotated = await admin<KeyJson>('POST', `/api/v1/keys/${id}/rotate`, { grace_period: '1h' });
      expect(rotated.status).toBe(200);
      expect(rotated.headers.get('cache-control')).toBe('no-store');
      expect(rotated.body.secret).toMatch(/^sk-/);
      expect(rotated.body.secret).not.toBe(secret);
      expect(Date.parse(rotated.body.previous_secret_valid_until!) - t.now().getTime()).toBe(3_600_000);
      const immediate = await admin<KeyJson>('POST', `/api/v1/keys/${id}/rotate`, { grace_period: '0' });
      expect(immediate.body.previous_secret_valid_until).toBeNull();
      expect((await t.chat(rotated.body.secret!)).status).toBe(401);
      expect((await t.chat(immediate.body.secret!)).status).toBe(200);
    });

    it('refuses a bad grace period and a revoked key', async () => {
      const { id } = await t.createKey({ name: 'app', scopes: ['chat'] });
      const bad = await admin<ErrorBody>('POST', `/api/v1/keys/${id}/rotate`, { grace_period: 'a while' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.param).toBe('grace_period');
      await admin('DELETE', `/api/v1/keys/${id}`);
      expect((await admin<ErrorBody>('POST', `/api/v1/keys/${id}/rotate`)).status).toBe(409);
    });
  });

  describe('GET /api/v1/keys/{id}/usage', () => {
    it('counts requests and tokens by day and model', async () => {
      const { id, secret } = await t.createKey({ name: 'metered', scopes: ['chat', 'models:read'] });
      const first = await t.chat(secret, 'deepseek-r1:7b');
      const second = await t.chat(secret, 'deepseek-r1:7b');
      await t.chat(secret, 'qwen3:8b');
      await t.call('GET', '/v1/models', { key: secret });
      const tokens = [first, second].map((response) => (response.body as ChatBody).usage);
      const response = await admin<UsageList>('GET', `/api/v1/keys/${id}/usage`);
      expect(response.status).toBe(200);
      const day = t.now().toISOString().slice(0, 10);
      const r1 = response.body.data.find((row) => row.model === 'deepseek-r1:7b');
      expect(r1).toEqual({
        day, model: 'deepseek-r1:7b', requests: 2,
        prompt_tokens: tokens[0]!.prompt_tokens + tokens[1]!.prompt_tokens,
        completion_tokens: tokens[0]!.completion_tokens + tokens[1]!.completion_tokens,
        total_tokens: tokens.reduce((sum, usage) => sum + usage.prompt_tokens + usage.completion_tokens, 0),
        // This fake plays an Ollama before prompt_eval_cached_count: nothing was reported as cached.
        cached_tokens: 0,
      });
      expect(response.body.data.map((row) => [row.model, row.requests])).toEqual(
        expect.arrayContaining([['qwen3:8b', 1], [null, 1]]),
      );
    });

    it('filters by inclusive days and refuses a malformed day', async () => {
      const { id, secret } = await t.createKey({ name: 'metered', scopes: ['chat'] });
      await t.chat(secret);
      const today = t.now().toISOString().slice(0, 10);
      t.advance(86_400_000);
      await t.chat(secret);
      const tomorrow = t.now().toISOString().slice(0, 10);
      const onlyToday = await admin<UsageList>('GET', `/api/v1/keys/${id}/usage?from=${today}&to=${today}`);
      expect(onlyToday.body.data.map((row) => row.day)).toEqual([today]);
      const all = await admin<UsageList>('GET', `/api/v1/keys/${id}/usage?from=${today}`);
      expect(all.body.data.map((row) => row.day)).toEqual([today, tomorrow]);
      const bad = await admin<ErrorBody>('GET', `/api/v1/keys/${id}/usage?from=yesterday`);
      expect(bad.status).toBe(400);
      expect(bad.body.error.param).toBe('from');
    });
  });

  it('never writes a key or token into the logs', () => {
    expect(leakedSecrets(t.app.logs, t.secrets)).toEqual([]);
  });
});

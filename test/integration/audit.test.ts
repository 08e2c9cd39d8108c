import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakedSecrets, MASTER_KEY, startAccessApp, type AccessApp, type ErrorBody } from '../helpers/access-app.js';
import { dropSchemas, keyStoreBackends } from '../helpers/key-store-backends.js';

// The audit log over real HTTP, on SQLite and PostgreSQL: every authenticated request is recorded (never a
// secret or a prompt), GET /api/v1/audit filters it, and entries older than the retention are pruned.

const backends = await keyStoreBackends();
afterAll(dropSchemas);

interface AuditJson {
  object: 'audit_entry';
  at: string;
  key_id: string;
  route: string;
  model: string | null;
  status: number;
  prompt_tokens: number;
  completion_tokens: number;
  latency_ms: number;
  request_id: string;
  client_ip: string | null;
}

interface AuditList {
  object: 'list';
  data: AuditJson[];
}

const DAY = 86_400_000;

describe.each(backends)('audit log over HTTP ($name)', (backend) => {
  let t: AccessApp;
  beforeAll(async () => {
    t = await startAccessApp(backend, { env: { AUDIT_RETENTION_DAYS: '7' } });
  });
  afterAll(() => t.close());

  const audit = async (query = '') => {
    const response = await t.call<AuditList>('GET', `/api/v1/audit${query}`, { key: MASTER_KEY });
    expect(response.status).toBe(200);
    return response.body.data;
  };

  it('records a chat request with its key, route, model, status, tokens, latency, request id and client address', async () => {
    const { id, secret } = await t.createKey({ name: 'app', scopes: ['chat'] });
    const response = await t.chat(secret, 'deepseek-r1:7b');
    const usage = (response.body as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
    const [entry] = await audit(`?key_id=${id}`);
    expect(entry).toEqual({
      object: 'audit_entry', at: expect.any(String), key_id: id, route: 'POST /v1/chat/completions',
      model: 'deepseek-r1:7b', status: 200, prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens,
      latency_ms: expect.any(Number), request_id: response.headers.get('x-request-id'), client_ip: expect.stringMatching(/127\.0\.0\.1$/),
    });
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(Math.abs(Date.parse(entry!.at) - t.now().getTime())).toBeLessThan(60_000);
  });

  it('records streamed usage, refusals, model lists and native Ollama calls; not unauthenticated ones', async () => {
    const { id, secret } = await t.createKey({ name: 'mixed', scopes: ['chat', 'models:read', 'ollama'], models: ['deepseek-r1:*'] });
    const stream = await fetch(`${t.app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'deepseek-r1:7b', stream: true, messages: [{ role: 'user', content: 'stream please' }] }),
    });
    await stream.text();
    // Entries are timed by when requests started; a moving clock gives them a clear order.
    t.advance(1_000);
    await t.chat(secret, 'qwen3:8b');
    t.advance(1_000);
    await t.call('GET', '/v1/models', { key: secret });
    t.advance(1_000);
    await t.call('GET', '/api/tags', { key: secret });
    const anonymous = await t.call('GET', '/v1/models');
    const entries = await audit(`?key_id=${id}`);
    expect(entries.map((entry) => [entry.route, entry.model, entry.status])).toEqual([
      ['GET /api/tags', null, 200],
      ['GET /v1/models', null, 200],
      ['POST /v1/chat/completions', 'qwen3:8b', 403],
      ['POST /v1/chat/completions', 'deepseek-r1:7b', 200],
    ]);
    expect(entries[3]!.completion_tokens).toBeGreaterThan(0);
    const all = await audit('?limit=1000');
    expect(all.map((entry) => entry.request_id)).not.toContain(anonymous.headers.get('x-request-id'));
  });

  it('holds neither secrets nor prompts', async () => {
    const { secret } = await t.createKey({ name: 'private', scopes: ['chat'] });
    await t.call('POST', '/v1/chat/completions', {
      key: secret,
      body: { model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'my-secret-prompt-marker' }] },
    });
    const text = JSON.stringify(await audit('?limit=1000'));
    expect(text).not.toContain('my-secret-prompt-marker');
    expect(text).not.toContain('Echo:');
    for (const value of t.secrets) expect(text).not.toContain(value);
  });

  it('filters by key, model, status and time, newest first, with a limit', async () => {
    const a = await t.createKey({ name: 'a', scopes: ['chat'] });
    const b = await t.createKey({ name: 'b', scopes: ['chat'], models: ['qwen3:*'] });
    const from = new Date(t.now().getTime() + 1_000).toISOString();
    t.advance(2_000);
    await t.chat(a.secret, 'deepseek-r1:7b');
    t.advance(1_000);
    await t.chat(b.secret, 'qwen3:8b');
    t.advance(1_000);
    await t.chat(b.secret, 'deepseek-r1:7b');
    const to = new Date(t.now().getTime() + 500).toISOString();
    t.advance(2_000);
    await t.chat(a.secret, 'qwen3:8b');
    const shape = (entries: AuditJson[]) => entries.map((entry) => `${entry.key_id === a.id ? 'a' : 'b'} ${entry.model} ${entry.status}`);
    expect(shape(await audit(`?key_id=${b.id}`))).toEqual(['b deepseek-r1:7b 403', 'b qwen3:8b 200']);
    expect(shape(await audit(`?model=qwen3:8b&from=${from}`))).toEqual(['a qwen3:8b 200', 'b qwen3:8b 200']);
    expect(shape(await audit(`?status=403&key_id=${b.id}`))).toEqual(['b deepseek-r1:7b 403']);
    expect(shape(await audit(`?from=${from}&to=${to}`))).toEqual(['b deepseek-r1:7b 403', 'b qwen3:8b 200', 'a deepseek-r1:7b 200']);
    expect(shape(await audit(`?key_id=${a.id}&limit=1`))).toEqual(['a qwen3:8b 200']);
  });

  it.each([['?status=abc', 'status'], ['?from=yesterday', 'from'], ['?limit=0', 'limit']])('answers %s with a 400 naming the parameter', async (query, param) => {
    const response = await t.call<ErrorBody>('GET', `/api/v1/audit${query}`, { key: MASTER_KEY });
    expect(response.status).toBe(400);
    expect(response.body.error.param).toBe(param);
  });

  it('prunes entries older than AUDIT_RETENTION_DAYS when an instance starts', async () => {
    const { id, secret } = await t.createKey({ name: 'old', scopes: ['chat'] });
    await t.chat(secret);
    expect(await audit(`?key_id=${id}`)).toHaveLength(1);
    const later = await startAccessApp(backend, {
      env: { AUDIT_RETENTION_DAYS: '7' }, fake: t.fake, shareStoreWith: t.env, startAt: t.now().getTime() + 8 * DAY,
    });
    try {
      const response = await later.call<AuditList>('GET', `/api/v1/audit?key_id=${id}`, { key: MASTER_KEY });
      expect(response.body.data).toEqual([]);
      await later.chat(secret);
      const fresh = await later.call<AuditList>('GET', `/api/v1/audit?key_id=${id}`, { key: MASTER_KEY });
      expect(fresh.body.data).toHaveLength(1);
    } finally {
      await later.close();
    }
  });

  it('never writes a key or token into the logs', () => {
    expect(leakedSecrets(t.app.logs, t.secrets)).toEqual([]);
  });
});

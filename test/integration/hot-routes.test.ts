import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The chat, completions, embeddings and model-list routes are served without Express (src/http/request-listener.ts);
// these check what that must not change: variants of the paths, query strings, TRUST_PROXY, errors and headers.

const MASTER_KEY = 'sk-master-hot-routes-0123456789';
const chatBody = JSON.stringify({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'hi' }] });

interface AuditList {
  data: Array<{ request_id: string; client_ip: string | null; route: string; status: number }>;
}

async function auditEntry(app: TestApp, requestId: string | null) {
  await app.access.recorder.flush();
  const response = await fetch(`${app.url}/api/v1/audit?limit=100`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
  const list = (await response.json()) as AuditList;
  return list.data.find((entry) => entry.request_id === requestId);
}

describe.each([
  { trustProxy: 'false', expectedIp: /127\.0\.0\.1$/ },
  { trustProxy: 'true', expectedIp: /^203\.0\.113\.7$/ },
])('hot routes with TRUST_PROXY=$trustProxy', ({ trustProxy, expectedIp }) => {
  let fake: FakeOllama;
  let app: TestApp;
  beforeAll(async () => {
    fake = await startFakeOllama();
    // A configured master tier: MASTER_KEY is otherwise unlimited and gets no x-ratelimit-* headers.
    app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY, TRUST_PROXY: trustProxy }, file: { rateLimit: { tiers: { master: { requestsPerMinute: 1000 } } } } });
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  const post = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json', ...headers },
      body: chatBody,
    });

  it('audits the client address the setting names (X-Forwarded-For only when proxies are trusted)', async () => {
    const response = await post('/v1/chat/completions', { 'x-forwarded-for': '203.0.113.7' });
    expect(response.status).toBe(200);
    await response.json();
    const entry = await auditEntry(app, response.headers.get('x-request-id'));
    expect(entry?.client_ip).toMatch(expectedIp);
    expect(entry?.route).toBe('POST /v1/chat/completions');
  });

  it('answers a trailing slash, another case and a query string like the exact path', async () => {
    for (const path of ['/v1/chat/completions/', '/V1/Chat/Completions', '/v1/chat/completions?api-version=2024-10-21']) {
      const response = await post(path);
      expect(response.status, path).toBe(200);
      const body = (await response.json()) as { object: string };
      expect(body.object, path).toBe('chat.completion');
      expect(response.headers.get('x-request-id'), path).toMatch(/^req_/);
      expect(response.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(response.headers.get('x-ratelimit-limit-requests'), path).not.toBeNull();
    }
  });

  it('keeps OpenAI-shaped errors, preflights and unknown methods', async () => {
    const badJson = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: '{"model":',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('not valid JSON') } });

    const noKey = await fetch(`${app.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ error: { code: 'invalid_api_key' } });

    const preflight = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type');

    const wrongMethod = await fetch(`${app.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(await wrongMethod.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'method_not_allowed' } });
  });

  it('serves the openai SDK on every hot route', async () => {
    const client = new OpenAI({ apiKey: MASTER_KEY, baseURL: `${app.url}/v1`, maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const chat = await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'hi' }] });
    expect(chat.choices[0]?.message.role).toBe('assistant');
    const text = await client.completions.create({ model: 'deepseek-coder-v2:16b', prompt: 'def add(a, b):', max_tokens: 8 });
    expect(text.object).toBe('text_completion');
    const embedding = await client.embeddings.create({ model: 'nomic-embed-text', input: 'hello' });
    expect(embedding.data[0]?.embedding.length).toBeGreaterThan(0);
  });
});

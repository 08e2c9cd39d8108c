import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, type AdminCall } from '../../helpers/admin-call.js';
import { startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { unusedPort } from '../../helpers/unused-port.js';

// What a newcomer sees when something is off: the URL without /v1, a wrong method, a missing Content-Type,
// Ollama not running, a rate limit; and what the operator sees: per-key limits, the master key, metrics labels.

const MASTER = 'sk-messages-master-key-0123456789';
const MODEL = 'deepseek-r1:7b';
let fake: FakeOllama;
let app: TestApp;
let admin: AdminCall;
beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({
    ollamaUrl: fake.url,
    env: { MASTER_KEY: MASTER, CACHE_POLICY: 'off' },
    file: { rateLimit: { defaultTier: 'tight', tiers: { tight: { requestsPerMinute: 2 } } } },
  });
  admin = adminCall(app.url, MASTER);
});
afterAll(async () => {
  await app.close();
  await fake.close();
});

async function newKey(body: Record<string, unknown>): Promise<string> {
  const res = await admin('POST', '/api/v1/keys', { name: 'k', scopes: ['chat', 'completions', 'embeddings', 'models:read'], ...body });
  expect(res.status).toBe(201);
  return ((await res.json()) as { secret: string }).secret;
}

const chat = (key: string, content = 'Hi', headers: Record<string, string> = { 'content-type': 'application/json' }, path = '/v1/chat/completions') =>
  fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, ...headers },
    // Bytes, not a string: fetch would add 'Content-Type: text/plain' to a string body.
    body: new TextEncoder().encode(JSON.stringify({ model: MODEL, messages: [{ role: 'user', content }] })),
  });

describe('base URL without /v1 (as DeepSeek\'s API accepts)', () => {
  it('serves chat, completions, embeddings and the model list to the openai SDK', async () => {
    const sdk = new OpenAI({ baseURL: app.url, apiKey: MASTER, maxRetries: 0 });
    const reply = await sdk.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] });
    expect(reply.object).toBe('chat.completion');
    expect((await sdk.completions.create({ model: MODEL, prompt: 'Say' })).object).toBe('text_completion');
    expect((await sdk.embeddings.create({ model: 'nomic-embed-text', input: 'x' })).data).toHaveLength(1);
    const ids = [];
    for await (const model of sdk.models.list()) ids.push(model.id);
    expect(ids).toContain(MODEL);
    expect((await sdk.models.retrieve(MODEL)).id).toBe(MODEL);
  });
});

describe('wrong method, missing Content-Type', () => {
  it.each([
    ['GET', '/v1/chat/completions', 'POST'],
    ['GET', '/chat/completions', 'POST'],
    ['PUT', '/v1/embeddings', 'POST'],
    ['POST', '/v1/models', 'GET, HEAD'],
    ['GET', '/api/v1/chat', 'POST'],
  ])('%s %s is a 405 naming the allowed method', async (method, path, allow) => {
    const res = await fetch(`${app.url}${path}`, { method, headers: { authorization: `Bearer ${MASTER}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(await res.json()).toEqual({ error: { message: expect.stringContaining(`Invalid method for URL (${method} ${path})`), type: 'invalid_request_error', param: null, code: 'method_not_allowed' } });
  });

  it('says the body must be sent as JSON when Content-Type is missing or another type', async () => {
    const missing = await chat(MASTER, 'Hi', {});
    expect(missing.status).toBe(415);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toBe(
      "The request body must be JSON, sent with the header 'Content-Type: application/json' (the request had no Content-Type header).",
    );
    const form = await chat(MASTER, 'Hi', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(((await form.json()) as { error: { message: string } }).error.message).toContain("(it was 'application/x-www-form-urlencoded')");
  });
});

describe('rate limits', () => {
  it('a key\'s own limits set through the admin API override its tier, and a TPM refusal has type "tokens"', async () => {
    const key = await newKey({ limits: { requests_per_minute: 50, tokens_per_minute: 1 } });
    expect((await chat(key)).status).toBe(200);
    const refused = await chat(key);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { type: 'tokens', code: 'rate_limit_exceeded', message: expect.stringContaining('tokens per minute: limit 1') } });
  });

  it('an RPM refusal has type "requests"', async () => {
    const key = await newKey({});
    expect((await chat(key)).status).toBe(200);
    expect((await chat(key)).status).toBe(200);
    const refused = await chat(key);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
  });

  it('PATCH replaces a key\'s limits and null removes them; the key shows them', async () => {
    const created = await (await admin('POST', '/api/v1/keys', { name: 'p', scopes: ['chat'], limits: { tokens_per_day: 10 } })).json() as { id: string; limits: unknown };
    expect(created.limits).toEqual({ tokens_per_day: 10 });
    const patched = await (await admin('PATCH', `/api/v1/keys/${created.id}`, { limits: { burst: 3 } })).json() as { limits: unknown };
    expect(patched.limits).toEqual({ burst: 3 });
    const cleared = await (await admin('PATCH', `/api/v1/keys/${created.id}`, { limits: null })).json() as { limits: unknown };
    expect(cleared.limits).toBeNull();
    const bad = await admin('PATCH', `/api/v1/keys/${created.id}`, { limits: { requests_per_hour: 5 } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: 'limits', message: expect.stringContaining("Unknown rate limit 'requests_per_hour'") } });
  });

  it('MASTER_KEY is not throttled by the default tier', async () => {
    for (let i = 0; i < 4; i++) expect((await chat(MASTER, `master ${i}`)).status).toBe(200);
  });

  it('MASTER_KEY follows rateLimit.tiers.master when it is configured', async () => {
    const limited = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: MASTER }, file: { rateLimit: { tiers: { master: { requestsPerMinute: 1 } } } } });
    try {
      const send = () => fetch(`${limited.url}/v1/models`, { headers: { authorization: `Bearer ${MASTER}` } });
      expect((await send()).status).toBe(200);
      expect((await send()).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe('metrics of refused requests', () => {
  it('count 401, 403 and 429 under their route, not "unmatched"', async () => {
    await chat('sk-wrong-key-000000000000000000');
    const chatOnly = await newKey({ scopes: ['chat'] });
    await fetch(`${app.url}/v1/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${chatOnly}`, 'content-type': 'application/json' }, body: '{}' });
    await fetch(`${app.url}/api/v1/keys`, { headers: { authorization: 'Bearer sk-wrong-key-000000000000000000' } });
    await fetch(`${app.url}/models/deepseek-r1:7b`, { headers: { authorization: 'Bearer sk-wrong-key-000000000000000000' } });
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/proxy_http_requests_total\{[^}]*route="\/v1\/chat\/completions"[^}]*status="401"/);
    expect(text).toMatch(/proxy_http_requests_total\{[^}]*route="\/v1\/embeddings"[^}]*status="403"/);
    expect(text).toMatch(/proxy_http_requests_total\{[^}]*route="\/api\/v1\/keys"[^}]*status="401"/);
    expect(text).toMatch(/proxy_http_requests_total\{[^}]*route="\/v1\/models\/\{id\}"[^}]*status="401"/);
    expect(text).toMatch(/proxy_http_requests_total\{[^}]*route="\/v1\/chat\/completions"[^}]*status="429"/);
    expect(text).not.toMatch(/route="unmatched"[^}]*status="40[13]"/);
  });
});

describe('Ollama not running', () => {
  it('answers 502 naming the URL it tried and how to fix it', async () => {
    const port = await unusedPort();
    const down = await startTestApp({ ollamaUrl: `http://127.0.0.1:${port}`, env: { MASTER_KEY: MASTER } });
    try {
      const res = await chat(MASTER, 'Hi', { 'content-type': 'application/json' }, '/v1/chat/completions').then(() =>
        fetch(`${down.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] }),
        }),
      );
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({
        error: {
          code: 'upstream_unavailable',
          message: `Ollama is unreachable at http://127.0.0.1:${port} (ECONNREFUSED). Start Ollama (\`ollama serve\`), or set OLLAMA_URL to the address where it runs.`,
        },
      });
      const native = await fetch(`${down.url}/api/tags`, { headers: { authorization: `Bearer ${MASTER}` } });
      expect(native.status).toBe(502);
      expect(((await native.json()) as { error: string }).error).toContain(`at http://127.0.0.1:${port}`);
    } finally {
      await down.close();
    }
  });
});

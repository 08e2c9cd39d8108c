import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/principal.js';
import { AuthenticationError } from '../../src/core/errors.js';
import { hang, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Rate limits through the real app (in-process stores). Every test calls with its own key, so counters never
// leak between tests: the bearer "<tier>.<name>" is a key named <name> in tier <tier>; "admin" holds every scope.

const TIERS = {
  requests: { requestsPerMinute: 2, burst: 1 },
  tokens: { requestsPerMinute: 100, tokensPerMinute: 100 },
  quota: { requestsPerMinute: 100, tokensPerDay: 40 },
  monthly: { requestsPerMinute: 100, tokensPerMonth: 10 },
  streams: { requestsPerMinute: 100, concurrentStreams: 1 },
  roomy: { requestsPerMinute: 100, tokensPerMinute: 10_000 },
};
const MODEL = 'deepseek-v3.1:671b';
const authenticator = (credential: string | undefined): Principal => {
  if (!credential) throw new AuthenticationError();
  if (credential === 'admin') return { id: 'admin', kind: 'master', scopes: ['chat', 'models:read', 'embeddings', 'admin'] };
  const [tier, name] = credential.split('.');
  return { id: name ?? credential, kind: 'api-key', scopes: ['chat', 'models:read', 'embeddings'], ...(tier ? { tier } : {}) };
};

let fake: FakeOllama;
let app: TestApp;
beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({
    ollamaUrl: fake.url,
    env: { CACHE_POLICY: 'off' },
    file: { rateLimit: { defaultTier: 'roomy', tiers: TIERS } },
    overrides: { authenticator },
  });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const client = (key: string) => new OpenAI({ baseURL: `${app.url}/v1`, apiKey: key, maxRetries: 0 });
const chat = (key: string, content: string, extra: Record<string, unknown> = {}) =>
  fetch(`${app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content }], ...extra }),
  });
const headerNumber = (res: Response, name: string) => Number(res.headers.get(name));

let keyCounter = 0;

describe('rate limit headers', () => {
  it.each([
    ['a chat completion', (key: string) => chat(key, 'hi')],
    ['the model list', (key: string) => fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })],
    ['a request the upstream refuses', (key: string) => chat(key, 'hi', { model: 'no-such-model' })],
  ])('are on %s, in OpenAI formats', async (_name, send) => {
    const res = await send(`roomy.headers-${++keyCounter}`);
    expect(res.headers.get('x-ratelimit-limit-requests')).toBe('100');
    expect(headerNumber(res, 'x-ratelimit-remaining-requests')).toBe(99);
    expect(res.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+(\.\d+)?s|\d+m\d+(\.\d+)?s|\d+ms)$/);
    expect(res.headers.get('x-ratelimit-limit-tokens')).toBe('10000');
    expect(headerNumber(res, 'x-ratelimit-remaining-tokens')).toBeLessThanOrEqual(10_000);
    expect(res.headers.get('x-ratelimit-reset-tokens')).toMatch(/^(\d+(\.\d+)?s|\d+m\d+(\.\d+)?s|\d+ms)$/);
  });
});

describe('requests per minute', () => {
  it('admits requestsPerMinute + burst, then the SDK gets a RateLimitError with retry-after', async () => {
    const sdk = client('requests.rpm');
    for (let i = 0; i < 3; i++) await sdk.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: `hi ${i}` }] });
    const error = await sdk.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'one more' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimited.status).toBe(429);
    expect(rateLimited.code).toBe('rate_limit_exceeded');
    expect(Number(rateLimited.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(rateLimited.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(fake.requests.filter((request) => request.path === '/api/chat')).toHaveLength(3);
  });

  it('counts each key separately', async () => {
    for (let i = 0; i < 3; i++) expect((await chat('requests.first', 'x')).status).toBe(200);
    expect((await chat('requests.first', 'x')).status).toBe(429);
    expect((await chat('requests.second', 'x')).status).toBe(200);
  });

  it('counts refusals in proxy_rate_limited_total{kind="requests"}', async () => {
    for (let i = 0; i < 4; i++) await chat('requests.metric', 'x');
    const metrics = await app.metrics.registry.getSingleMetricAsString('proxy_rate_limited_total');
    expect(metrics).toMatch(/proxy_rate_limited_total\{kind="requests"\} [1-9]/);
  });
});

describe('tokens per minute', () => {
  it('settles the reservation from the usage Ollama reports', async () => {
    const res = await chat('tokens.settle', 'hello', { max_tokens: 90 });
    const body = (await res.json()) as { usage: { total_tokens: number } };
    expect(body.usage.total_tokens).toBeLessThan(90);
    // Reserved with the estimate (prompt + max_tokens) while running; charged with the real total after.
    expect(headerNumber(res, 'x-ratelimit-remaining-tokens')).toBeLessThan(10);
    const after = await fetch(`${app.url}/v1/models`, { headers: { authorization: 'Bearer tokens.settle' } });
    expect(headerNumber(after, 'x-ratelimit-remaining-tokens')).toBe(100 - body.usage.total_tokens);
  });

  it('admits what fits after settlement and refuses what does not, with code rate_limit_exceeded', async () => {
    expect((await chat('tokens.refuse', 'hello', { max_tokens: 90 })).status).toBe(200);
    expect((await chat('tokens.refuse', 'hello', { max_tokens: 60 })).status).toBe(200);
    const refused = await chat('tokens.refuse', 'hello', { max_tokens: 90 });
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('rate_limit_exceeded');
    expect(body.error.message).toMatch(/tokens per minute/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(fake.requests.filter((request) => request.path === '/api/chat')).toHaveLength(2);
  });

  it('charges nothing for a call the upstream refused', async () => {
    expect((await chat('tokens.failed', 'hi', { model: 'no-such-model', max_tokens: 90 })).status).toBe(404);
    const after = await fetch(`${app.url}/v1/models`, { headers: { authorization: 'Bearer tokens.failed' } });
    expect(after.headers.get('x-ratelimit-remaining-tokens')).toBe('100');
  });
});

describe('token quotas', () => {
  it('refuses with quota_exceeded once the daily quota is used up, until the day ends', async () => {
    const sdk = client('quota.daily');
    let used = 0;
    while (used < 40) {
      const completion = await sdk.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello' }], max_tokens: 5 });
      used += completion.usage!.total_tokens;
    }
    const error = await sdk.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const refused = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(refused.code).toBe('quota_exceeded');
    expect(refused.type).toBe('insufficient_quota');
    const retryAfter = Number(refused.headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
  });

  it('applies the monthly quota the same way', async () => {
    expect((await chat('monthly.m', 'hello there, how are you', { max_tokens: 5 })).status).toBe(200);
    const refused = await chat('monthly.m', 'hi', { max_tokens: 1 });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('quota_exceeded');
  });
});

describe('concurrent streams', () => {
  it('refuses a second stream while the first runs, not a non-streamed call, and frees the slot when the stream ends', async () => {
    fake.script('/api/chat', hang());
    const abort = new AbortController();
    const running = fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer streams.s2', 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'long' }], stream: true }),
      signal: abort.signal,
    }).catch(() => undefined);
    await expect.poll(() => fake.requests.filter((request) => request.path === '/api/chat').length).toBe(1);
    const second = await chat('streams.s2', 'again', { stream: true });
    expect(second.status).toBe(429);
    expect(((await second.json()) as { error: { message: string } }).error.message).toMatch(/concurrent streams/);
    expect((await chat('streams.s2', 'not streamed')).status).toBe(200);
    abort.abort();
    await running;
    await expect.poll(async () => (await chat('streams.s2', 'after', { stream: true })).status, { timeout: 2000 }).toBe(200);
  });
});

describe('usage endpoints', () => {
  it("show the caller its limits and what it used; admins read a key's counters", async () => {
    await chat('roomy.usage', 'hello');
    const me = await fetch(`${app.url}/api/v1/limits/me`, { headers: { authorization: 'Bearer roomy.usage' } });
    const body = (await me.json()) as Record<string, any>;
    expect(body).toMatchObject({ identity: 'key:usage', tier: 'roomy', limits: { requests_per_minute: 100, tokens_per_minute: 10_000 }, requests: { used: 1 } });
    expect(body.tokens.minute.used).toBeGreaterThan(0);
    expect(body.tokens.day.used).toBe(body.tokens.minute.used);
    expect((await fetch(`${app.url}/api/v1/limits/usage`, { headers: { authorization: 'Bearer roomy.usage' } })).status).toBe(403);
    const admin = await fetch(`${app.url}/api/v1/limits/usage`, { headers: { authorization: 'Bearer admin' } });
    expect(((await admin.json()) as Record<string, any>).tokens.day.used).toBe(body.tokens.day.used);
  });
});

describe('with rate limiting disabled', () => {
  it('sends no rate limit headers and refuses nothing', async () => {
    const open = await startTestApp({ ollamaUrl: fake.url, env: { RATE_LIMIT_ENABLED: 'false' }, file: { rateLimit: { tiers: { default: { requestsPerMinute: 1 } } } } });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${open.url}/v1/models`);
        expect(res.status).toBe(200);
        expect(res.headers.get('x-ratelimit-limit-requests')).toBeNull();
      }
    } finally {
      await open.close();
    }
  });
});

import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hang, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { deleteKeysUnder, probeRedis, REDIS_URL } from '../helpers/redis.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Two proxy instances sharing the machine's Redis under a key prefix of their own: one limit, one cache.

const KEY = 'sk-shared-redis-master-key';
const MODEL = 'deepseek-v3.1:671b';
const prefix = `oop-test:${randomBytes(4).toString('hex')}:`;
const unreachable = await probeRedis();

if (unreachable === null) {
  let fake: FakeOllama;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    fake = await startFakeOllama();
    const start = (tier: Record<string, number>, tierName: string) =>
      startTestApp({
        ollamaUrl: fake.url,
        env: { MASTER_KEY: KEY, REDIS_URL, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_DEFAULT_TIER: tierName },
        // These tests call with MASTER_KEY, which is unlimited unless a `master` tier is configured.
        file: { rateLimit: { tiers: { [tierName]: tier, master: tier } } },
      });
    const tier = { requestsPerMinute: 1000, tokensPerMinute: 100_000, concurrentStreams: 1 };
    [a, b] = await Promise.all([start(tier, 'shared'), start(tier, 'shared')]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await fake?.close();
    await deleteKeysUnder(REDIS_URL, prefix);
  });

  const chat = (app: TestApp, body: Record<string, unknown>) =>
    fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'shared' }], temperature: 0, ...body }),
    });
  const upstreamChats = () => fake.requests.filter((request) => request.path === '/api/chat').length;

  describe('two instances sharing Redis', () => {
    it('share cache entries: an answer made on one is a hit on the other, streamed or not', async () => {
      const messages = [{ role: 'user' as const, content: 'asked on instance A' }];
      const onA = await new OpenAI({ baseURL: `${a.url}/v1`, apiKey: KEY, maxRetries: 0 }).chat.completions.create({ model: MODEL, messages, temperature: 0 }).withResponse();
      const onB = await new OpenAI({ baseURL: `${b.url}/v1`, apiKey: KEY, maxRetries: 0 }).chat.completions.create({ model: MODEL, messages, temperature: 0 }).withResponse();
      expect([onA.response.headers.get('x-cache'), onB.response.headers.get('x-cache')]).toEqual(['MISS', 'HIT']);
      expect(onB.data.choices[0]!.message.content).toBe(onA.data.choices[0]!.message.content);
      const streamedOnB = await chat(b, { messages, stream: true });
      expect(streamedOnB.headers.get('x-cache')).toBe('HIT');
      expect(await streamedOnB.text()).toContain('data: [DONE]');
      expect(upstreamChats()).toBe(1);
    });

    it('enforce one concurrent-stream limit', async () => {
      fake.script('/api/chat', hang());
      const abort = new AbortController();
      const running = fetch(`${a.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'long one' }], stream: true }),
        signal: abort.signal,
      }).catch(() => undefined);
      await expect.poll(() => fake.pendingScripts('/api/chat')).toBe(0);
      const refused = await chat(b, { messages: [{ role: 'user', content: 'second stream' }], stream: true });
      expect(refused.status).toBe(429);
      abort.abort();
      await running;
      await expect.poll(async () => (await chat(b, { messages: [{ role: 'user', content: 'after' }], stream: true })).status, { timeout: 3000 }).toBe(200);
    });
  });

  /** Two more instances with counters of their own (a prefix under the suite's), closed by `use`'s end. */
  async function withPair(name: string, tier: Record<string, number>, use: (c: TestApp, d: TestApp) => Promise<void>): Promise<void> {
    const pairPrefix = `${prefix}${name}:`;
    const start = () =>
      startTestApp({
        ollamaUrl: fake.url,
        env: { MASTER_KEY: KEY, REDIS_URL, REDIS_KEY_PREFIX: pairPrefix, CACHE_POLICY: 'off' },
        file: { rateLimit: { tiers: { default: tier, master: tier } } },
      });
    const [c, d] = await Promise.all([start(), start()]);
    try {
      await use(c, d);
    } finally {
      await Promise.all([c.close(), d.close()]);
    }
  }

  describe('requests per minute across instances', () => {
    it('is one limit, enforced atomically when both instances are hit at once', async () => {
      await withPair('rpm', { requestsPerMinute: 5, burst: 1 }, async (c, d) => {
        const models = (app: TestApp) => fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
        const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => models(i % 2 === 0 ? c : d)));
        expect(burst.filter((res) => res.status === 200)).toHaveLength(6);
        const refused = burst.find((res) => res.status === 429)!;
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      });
    });
  });

  describe('tokens per minute across instances', () => {
    it('settles on one instance what the other then reports', async () => {
      await withPair('tpm', { requestsPerMinute: 100, tokensPerMinute: 1000 }, async (c, d) => {
        const res = await chat(c, { max_tokens: 500 });
        const spent = ((await res.json()) as { usage: { total_tokens: number } }).usage.total_tokens;
        const other = await fetch(`${d.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
        expect(Number(other.headers.get('x-ratelimit-remaining-tokens'))).toBe(1000 - spent);
      });
    });
  });
} else if (process.env.CI) {
  describe('two instances sharing Redis', () => {
    it('needs a reachable Redis on CI', () => {
      throw new Error(unreachable);
    });
  });
} else {
  console.warn(`Skipping the shared-Redis tests: ${unreachable}. Set REDIS_URL to run them.`);
  describe.skip(`two instances sharing Redis (${unreachable})`, () => {
    it('share limits and cache', () => undefined);
  });
}

import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Redis stopped mid-test: a private redis-server child (never the machine's own) is killed while two
// instances use it, one failing open and one failing closed, and then started again.

const MODEL = 'deepseek-v3.1:671b';
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

describe.runIf(hasRedisServer || process.env.CI)('when Redis goes away', () => {
  let redis: PrivateRedis;
  let fake: FakeOllama;
  let open: TestApp;
  let closed: TestApp;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    fake = await startFakeOllama();
    const start = (failMode: string) =>
      startTestApp({ ollamaUrl: fake.url, env: { REDIS_URL: redis.url, RATE_LIMIT_FAIL_MODE: failMode, REDIS_KEY_PREFIX: `${failMode}:` } });
    [open, closed] = await Promise.all([start('open'), start('closed')]);
  });
  afterAll(async () => {
    await Promise.all([open?.close(), closed?.close()]);
    await fake?.close();
    await redis?.kill();
  });

  const chat = (app: TestApp, content: string, stream = false) =>
    fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, temperature: 0, stream, messages: [{ role: 'user', content }] }),
    });
  const metric = async (app: TestApp, name: string) => app.metrics.registry.getSingleMetricAsString(name);

  it('keeps serving: the cache misses, limits fail open or closed as configured, and it is logged and counted', async () => {
    const before = await chat(open, 'before the outage');
    expect(before.headers.get('x-ratelimit-limit-requests')).toBe('600');
    expect((await chat(closed, 'before the outage')).status).toBe(200);

    await redis.kill();

    const during = await chat(open, 'during the outage');
    expect(during.status).toBe(200);
    expect(during.headers.get('x-cache')).toBe('MISS');
    expect(during.headers.get('x-ratelimit-limit-requests')).toBeNull();
    const streamed = await chat(open, 'streamed during the outage', true);
    expect(await streamed.text()).toContain('data: [DONE]');
    // The in-process tier still answers what this instance cached itself.
    expect((await chat(open, 'during the outage')).headers.get('x-cache')).toBe('HIT');

    const refused = await chat(closed, 'during the outage');
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');
    expect(refused.headers.get('retry-after')).toBe('1');

    expect(await metric(open, 'proxy_traffic_store_errors_total')).toMatch(/feature="cache"\} [1-9]/);
    expect(await metric(open, 'proxy_traffic_store_errors_total')).toMatch(/feature="rate_limit"\} [1-9]/);
    expect(await metric(open, 'proxy_cache_lookups_total')).toMatch(/result="error"\} [1-9]/);
    expect(await metric(closed, 'proxy_rate_limited_total')).toMatch(/kind="unavailable"\} [1-9]/);
    expect(open.logs.some((line) => line.includes('redis unavailable'))).toBe(true);
  });

  it('recovers by itself when Redis is back', async () => {
    await redis.restart();
    await expect
      .poll(async () => (await chat(closed, 'after the outage')).status, { timeout: 10_000, interval: 200 })
      .toBe(200);
    const res = await chat(open, 'after the outage, open');
    expect(res.headers.get('x-ratelimit-limit-requests')).toBe('600');
    expect(open.logs.some((line) => line.includes('redis available again'))).toBe(true);
  });
});

describe('when Redis is unreachable from the start', () => {
  it('serves requests, failing open', async () => {
    const fake = await startFakeOllama();
    const app = await startTestApp({ ollamaUrl: fake.url, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      await expect.poll(() => app.logs.some((line) => line.includes('redis unavailable')), { timeout: 5000 }).toBe(true);
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${app.url}/v1/models`);
        expect(res.status).toBe(200);
      }
    } finally {
      await app.close();
      await fake.close();
    }
  });
});

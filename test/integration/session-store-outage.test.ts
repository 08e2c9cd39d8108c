import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Defect 8 of issue 12: with the session store (Redis) down, session requests answered 500 internal_error,
// and /health/ready pulled an instance that still served everything but sessions.

const MODEL = 'deepseek-v3.1:671b';
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

interface ErrorBody {
  error: { code: string; type: string; message: string };
}
interface Ready {
  ready: boolean;
  status: string;
  degraded: string[];
  checks: Record<string, { ok: boolean; critical: boolean; features?: string[] }>;
}

describe.runIf(hasRedisServer || process.env.CI)('session routes while the session store (Redis) is down', () => {
  let redis: PrivateRedis;
  let fake: FakeOllama;
  let app: TestApp;
  let strict: TestApp;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    fake = await startFakeOllama();
    const env = { REDIS_URL: redis.url, MEMORY_STORE: 'redis', REDIS_KEY_PREFIX: `outage-${process.pid}:` };
    [app, strict] = await Promise.all([
      startTestApp({ ollamaUrl: fake.url, env }),
      startTestApp({ ollamaUrl: fake.url, env: { ...env, READY_REQUIRES: 'ollama,sessions' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([app?.close(), strict?.close()]);
    await fake?.close();
    await redis?.kill();
  });

  const chat = (session: string | undefined, stream = false) =>
    fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(session ? { 'x-session-id': session } : {}) },
      body: JSON.stringify({ model: MODEL, stream, messages: [{ role: 'user', content: 'hello' }] }),
    });
  const ready = async (target: TestApp) => {
    const response = await fetch(`${target.url}/health/ready`);
    return { status: response.status, body: (await response.json()) as Ready };
  };

  it('is ready and reports nothing degraded while Redis answers', async () => {
    expect((await chat('s-before')).status).toBe(200);
    const { status, body } = await ready(app);
    expect(status).toBe(200);
    expect(body.degraded).toEqual([]);
  });

  it('answers 503 service_unavailable with retry-after on chat with X-Session-Id and on the context API', async () => {
    await redis.kill();
    for (const stream of [false, true]) {
      const response = await chat('s-during', stream);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      const body = (await response.json()) as ErrorBody;
      expect(body.error.code).toBe('service_unavailable');
      expect(body.error.type).toBe('api_error');
    }
    const simple = await fetch(`${app.url}/api/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, prompt: 'hello', session_id: 's-during' }),
    });
    expect(simple.status).toBe(503);
    expect(simple.headers.get('retry-after')).toBe('1');
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const response = await fetch(`${app.url}/api/v1/context/s-during`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(method === 'PUT' ? { body: JSON.stringify({ strategy: 'sliding' }) } : {}),
      });
      expect({ method, status: response.status }).toEqual({ method, status: 503 });
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await response.json()) as ErrorBody).error.code).toBe('service_unavailable');
    }
    // Chat without a session does not need the store.
    expect((await chat(undefined)).status).toBe(200);
    const failures = app.logs.filter((line) => line.includes('"code":"internal_error"'));
    expect(failures).toEqual([]);
  });

  it('stays ready by default and names sessions as degraded; READY_REQUIRES=ollama,sessions makes it not ready', async () => {
    const relaxed = await ready(app);
    expect(relaxed.status).toBe(200);
    expect(relaxed.body.status).toBe('degraded');
    expect(relaxed.body.degraded).toContain('sessions');
    expect(relaxed.body.checks.sessionStore).toMatchObject({ ok: false, critical: false });
    const required = await ready(strict);
    expect(required.status).toBe(503);
    expect(required.body.degraded).toContain('sessions');
    expect(required.body.checks.sessionStore).toMatchObject({ ok: false, critical: true });
  });

  it('serves sessions again when Redis is back', async () => {
    await redis.restart();
    await expect.poll(async () => (await chat('s-after')).status, { timeout: 10_000, interval: 200 }).toBe(200);
    expect((await ready(strict)).status).toBe(200);
  });
});

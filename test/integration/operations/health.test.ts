import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pingCheck } from '../../../src/http/routes/health.js';
import { createMemoryKvStore } from '../../../src/stores/memory-kv-store.js';
import { startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// Liveness and readiness as a load balancer sees them: Ollama and the stores must answer.

type Json = Record<string, unknown>;
let fake: FakeOllama;
const apps: TestApp[] = [];
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await fake.close();
});

async function start(...args: Parameters<typeof startTestApp>): Promise<TestApp> {
  const app = await startTestApp(...args);
  apps.push(app);
  return app;
}
const get = async (app: TestApp, path: string) => {
  const res = await fetch(`${app.url}${path}`);
  return { status: res.status, body: (await res.json()) as Json };
};

/** A port nothing listens on: bind one, then free it. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('health', () => {
  it('is ready when Ollama and the stores answer, without a key', async () => {
    const app = await start({ ollamaUrl: fake.url, env: { MASTER_KEY: 'sk-health-master-key-0123456789' } });
    const ready = await get(app, '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok', ready: true, shuttingDown: false, degraded: [],
      checks: {
        ollama: { ok: true, critical: true, hosts: [{ url: fake.url, ok: true, version: expect.any(String) }] },
        // READY_REQUIRES defaults to ollama,keys: the other stores are reported, not required.
        keyStore: { ok: true, critical: true, features: ['keys'] },
        sessionStore: { ok: true, critical: false, features: ['sessions'] },
        finetuneStore: { ok: true, critical: false, features: ['finetune'] },
        trafficStore: { ok: true, critical: false, features: ['cache', 'rate_limits'] },
      },
    });
  });

  it('answers 503 on /health/ready (and 200 with the details on /health) when Ollama is unreachable', async () => {
    const app = await start({ ollamaUrl: await deadUrl() });
    const ready = await get(app, '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'degraded', ready: false, checks: { ollama: { ok: false } } });
    const live = await get(app, '/health');
    expect(live.status).toBe(200);
    expect(live.body.ready).toBe(false);
  });

  it('answers 503 when a store does not answer', async () => {
    const broken = createMemoryKvStore();
    await broken.close();
    const app = await start({ ollamaUrl: fake.url, overrides: { healthChecks: [pingCheck('keyStore', (signal) => broken.ping(signal))] } });
    const ready = await get(app, '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ checks: { keyStore: { ok: false, critical: true, error: expect.stringContaining('closed') } } });
  });

  it('reports the rate-limit store without failing on it, unless RATE_LIMIT_FAIL_MODE=closed', async () => {
    const open = await start({ ollamaUrl: fake.url, env: { REDIS_URL: 'redis://127.0.0.1:1', MEMORY_STORE: 'memory' } });
    const openReady = await get(open, '/health/ready');
    expect(openReady).toMatchObject({ status: 200, body: { checks: { trafficStore: { ok: false, critical: false } } } });
    const closed = await start({ ollamaUrl: fake.url, env: { REDIS_URL: 'redis://127.0.0.1:1', MEMORY_STORE: 'memory', RATE_LIMIT_FAIL_MODE: 'closed' } });
    expect(await get(closed, '/health/ready')).toMatchObject({ status: 503, body: { checks: { trafficStore: { ok: false, critical: true } } } });
  });

  it('answers 503 once shutdown has begun', async () => {
    let shuttingDown = false;
    const app = await start({ ollamaUrl: fake.url, overrides: { isShuttingDown: () => shuttingDown } });
    expect((await get(app, '/health/ready')).status).toBe(200);
    shuttingDown = true;
    expect(await get(app, '/health/ready')).toMatchObject({ status: 503, body: { shuttingDown: true } });
  });
});

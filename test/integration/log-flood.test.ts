import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Defect 9 of issue 12: in fail-closed mode every refused request wrote an error line with a stack trace.

let fake: FakeOllama;
let app: TestApp;

beforeAll(async () => {
  fake = await startFakeOllama();
  // Port 1 refuses connections: the rate-limit store is down from the start.
  app = await startTestApp({ ollamaUrl: fake.url, env: { REDIS_URL: 'redis://127.0.0.1:1', MEMORY_STORE: 'memory', RATE_LIMIT_FAIL_MODE: 'closed' } });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});

describe('logging while every request is refused', () => {
  it('writes one access line per request and a bounded number of failure lines, none with a stack', async () => {
    const body = JSON.stringify({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'hi' }] });
    const before = app.logs.length;
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < 50; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })),
      );
      for (const response of responses) {
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        await response.arrayBuffer();
      }
    }
    expect(statuses).toEqual(new Map([[503, 1000]]));
    await expect.poll(() => app.logs.length - before).toBeGreaterThanOrEqual(1000);
    const lines = app.logs.slice(before).map((line) => JSON.parse(line) as { message: string; level: string; error?: string });
    const access = lines.filter((line) => line.message === 'request');
    expect(access).toHaveLength(1000);
    expect(access.every((line) => line.error === 'service_unavailable')).toBe(true);
    const others = lines.filter((line) => line.message !== 'request');
    expect(others.length).toBeLessThanOrEqual(5);
    expect(others.filter((line) => line.level === 'error')).toEqual([]);
    expect(app.logs.slice(before).some((line) => line.includes('stack'))).toBe(false);
  });
});

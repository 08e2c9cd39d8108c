import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { startPrivateRedis, type PrivateRedis } from '../../helpers/redis.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// Sizing figure for the README: Redis memory taken by sessions. Sessions are made through the proxy's HTTP
// API (one exchange each: a ~300-character question and the fake model's echo), in a private redis-server,
// and `INFO memory` is read before and after. SESSION_FOOTPRINT_SESSIONS=10000 gives the README's figure;
// CI runs a smaller count and checks that every session landed in Redis with its idle TTL.

const SESSIONS = Number(process.env.SESSION_FOOTPRINT_SESSIONS ?? 300);
const KEY = 'sk-session-footprint-master';
const QUESTION = 'Please summarise the attached quarterly report for the board, keeping the figures for revenue, margin and headcount, and list the three risks the finance team raised, each with its owner and the date it will be reviewed again. Keep it under two hundred words.';
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

describe.runIf(hasRedisServer || process.env.CI)('Redis memory per session', () => {
  let redis: PrivateRedis;
  let fake: FakeOllama;
  let app: TestApp;
  let client: Redis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    fake = await startFakeOllama({ record: false });
    app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, REDIS_URL: redis.url, MEMORY_STORE: 'redis', MEMORY_TTL_SECONDS: '86400', CACHE_POLICY: 'off', RATE_LIMIT_ENABLED: 'false', MEMORY_MAX_SESSIONS: '1000000' } });
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await app?.close();
    await fake?.close();
    await redis?.kill();
  });

  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);

  it(`stores ${SESSIONS} sessions with their TTL and reports the bytes each takes`, async () => {
    // One session first, so the fixed costs (rate-limit scripts, connection buffers) are not counted.
    const chat = async (index: number) => {
      const response = await fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'x-session-id': `footprint-${index}` },
        body: JSON.stringify({ model: 'deepseek-v3.1:671b', messages: [{ role: 'user', content: `${QUESTION} (#${index})` }], reasoning_effort: 'none' }),
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    };
    await chat(-1);
    const before = await usedMemory();
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < SESSIONS) await chat(next++);
    }));
    const after = await usedMemory();
    const keys = await client.keys('*session*footprint-*');
    expect(keys.length).toBeGreaterThanOrEqual(SESSIONS);
    const ttl = await client.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(86_000);
    const perSession = (after - before) / SESSIONS;
    console.log(`session footprint ${JSON.stringify({ sessions: SESSIONS, redisKeys: await client.dbsize(), usedMemoryBefore: before, usedMemoryAfter: after, bytesPerSession: Math.round(perSession), mbPer10k: +((perSession * 10_000) / 1_048_576).toFixed(1) })}`);
    expect(perSession).toBeGreaterThan(0);
  }, 300_000);
});

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisKvStore } from '../../src/stores/redis-kv-store.js';
import { chatJson, replyJson, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { lastSentChat, sayInSession, sentChats, sentText, SESSION_MODEL } from '../helpers/session-chat.js';
import { startTestApp } from '../helpers/test-app.js';
import { probeRedis } from '../helpers/redis.js';

// Where sessions live: SQLite in DATA_DIR survives a restart, Redis is shared by instances, and with
// ENCRYPTION_KEY the stored value is ciphertext.

const KEY = 'sk-test-master-key-0123456789';
let fake: FakeOllama;
const dirs: string[] = [];
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(async () => {
  await fake.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => fake.reset());

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'session-memory-'));
  dirs.push(dir);
  return dir;
}

function rawSqliteValue(dir: string, session: string): string {
  const db = new Database(join(dir, 'sessions.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT value FROM kv WHERE key = ?').get(`session:${session}`) as { value: string }).value;
  } finally {
    db.close();
  }
}

describe('sessions on SQLite (MEMORY_STORE=sqlite)', () => {
  it('survives an app restart with the same DATA_DIR', async () => {
    const env = { MASTER_KEY: KEY, MEMORY_STORE: 'sqlite', DATA_DIR: dataDir() };
    const session = `s-${randomUUID()}`;
    const before = await startTestApp({ ollamaUrl: fake.url, env });
    await sayInSession(before, { key: KEY, session, content: 'My name is Ada.' });
    await before.close();

    const after = await startTestApp({ ollamaUrl: fake.url, env });
    await sayInSession(after, { key: KEY, session, content: 'What is my name?' });
    await after.close();
    expect(sentText(lastSentChat(fake))).toEqual(['user: My name is Ada.', 'assistant: Echo: My name is Ada.', 'user: What is my name?']);
  });

  it('stores ciphertext when ENCRYPTION_KEY is set, and reads it back after a restart', async () => {
    const dir = dataDir();
    const env = { MASTER_KEY: KEY, MEMORY_STORE: 'sqlite', DATA_DIR: dir, ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    const session = `s-${randomUUID()}`;
    const first = await startTestApp({ ollamaUrl: fake.url, env });
    await sayInSession(first, { key: KEY, session, content: 'my card number is 4111' });
    await first.close();

    const raw = rawSqliteValue(dir, session);
    expect(raw).toMatch(/^aes256gcm:/);
    expect(raw).not.toContain('4111');
    expect(raw).not.toContain('card');

    const second = await startTestApp({ ollamaUrl: fake.url, env });
    await sayInSession(second, { key: KEY, session, content: 'and?' });
    await second.close();
    expect(sentText(lastSentChat(fake))[0]).toBe('user: my card number is 4111');
  });

  it('stores plain JSON without ENCRYPTION_KEY (what the encrypted test guards against)', async () => {
    const dir = dataDir();
    const session = `s-${randomUUID()}`;
    const app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, MEMORY_STORE: 'sqlite', DATA_DIR: dir } });
    await sayInSession(app, { key: KEY, session, content: 'my card number is 4111' });
    await app.close();
    expect(rawSqliteValue(dir, session)).toContain('my card number is 4111');
  });
});

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';


const unreachable = await probeRedis(redisUrl);

if (unreachable === null) {
  describe('sessions on Redis shared by two instances', () => {
    const prefix = `session-memory-test:${randomBytes(4).toString('hex')}:`;
    const admin = new Redis(redisUrl);
    afterAll(async () => {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
      await admin.quit();
    });

    async function twoInstances(env: Record<string, string> = {}) {
      const stores = [createRedisKvStore({ url: redisUrl, keyPrefix: prefix }), createRedisKvStore({ url: redisUrl, keyPrefix: prefix })];
      const apps = await Promise.all(
        stores.map((sessionStore) => startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, REDIS_URL: redisUrl, ...env }, overrides: { sessionStore } })),
      );
      return {
        a: apps[0]!,
        b: apps[1]!,
        async close() {
          await Promise.all(apps.map((app) => app.close()));
          await Promise.all(stores.map((store) => store.close()));
        },
      };
    }

    it('continues on instance B a conversation started on instance A', async () => {
      const { a, b, close } = await twoInstances();
      const session = `s-${randomUUID()}`;
      await sayInSession(a, { key: KEY, session, content: 'started on A' });
      await sayInSession(b, { key: KEY, session, content: 'continued on B' });
      await close();
      expect(sentText(lastSentChat(fake))).toEqual(['user: started on A', 'assistant: Echo: started on A', 'user: continued on B']);
    });

    it('serializes one session across instances: B waits for A and sees its answer', async () => {
      const { a, b, close } = await twoInstances();
      const session = `s-${randomUUID()}`;
      fake.script('/api/chat', replyJson(chatJson({ model: SESSION_MODEL, content: ['Slow answer from A.'] }), { delayMs: 300 }));
      const onA = sayInSession(a, { key: KEY, session, content: 'question to A' });
      await expect.poll(() => sentChats(fake).length).toBe(1);
      const onB = sayInSession(b, { key: KEY, session, content: 'question to B' });
      await Promise.all([onA, onB]);
      await close();
      expect(sentText(sentChats(fake)[1]!)).toEqual(['user: question to A', 'assistant: Slow answer from A.', 'user: question to B']);
    });

    it('keeps ciphertext in Redis when ENCRYPTION_KEY is set', async () => {
      const { a, close } = await twoInstances({ ENCRYPTION_KEY: randomBytes(32).toString('hex') });
      const session = `s-${randomUUID()}`;
      await sayInSession(a, { key: KEY, session, content: 'the password is swordfish' });
      await close();
      const raw = (await admin.get(`${prefix}session:${session}`))!;
      expect(raw).toMatch(/^aes256gcm:/);
      expect(raw).not.toContain('swordfish');
    });
  });
} else if (process.env.CI) {
  describe('sessions on Redis', () => {
    it('needs a reachable Redis on CI', () => {
      throw new Error(unreachable);
    });
  });
} else {
  console.warn(`Skipping the Redis session tests: ${unreachable}. Set REDIS_URL to run them.`);
  describe.skip(`sessions on Redis (${unreachable})`, () => {
    it('shares sessions between instances', () => undefined);
  });
}

import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvStore } from '../../src/stores/create-kv-store.js';
import { createRedisKvStore } from '../../src/stores/redis-kv-store.js';
import { kvStoreContract } from './kv-store.contract.js';
import { probeRedis } from '../helpers/redis.js';

// Runs against the machine's real Redis. Every store gets its own key prefix (kvtest:<run>:<n>:) and its keys
// are deleted afterwards. Time is simulated by shortening each key's PTTL, so TTL tests cost no waiting.
// Unreachable → skipped with a reason, or a failure on CI.

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = `kvtest:${randomBytes(4).toString('hex')}`;
let counter = 0;


async function keysUnder(admin: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Moves Redis's clock for one prefix: every key with a TTL loses `ms` of it, or is deleted if that ends it. */
async function advance(admin: Redis, prefix: string, ms: number): Promise<void> {
  for (const key of await keysUnder(admin, prefix)) {
    const left = await admin.pttl(key);
    if (left < 0) continue;
    if (left <= ms) await admin.del(key);
    else await admin.pexpire(key, left - ms);
  }
}

async function deleteUnder(admin: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(admin, prefix);
  if (keys.length > 0) await admin.del(...keys);
}

const unreachable = await probeRedis(url);

if (unreachable === null) {
  const admin = new Redis(url);
  afterAll(async () => {
    await deleteUnder(admin, `${run}:`);
    await admin.quit();
  });

  kvStoreContract('redis', async () => {
    const prefix = `${run}:${++counter}:`;
    return {
      store: createRedisKvStore({ url, keyPrefix: prefix }),
      advance: (ms) => advance(admin, prefix, ms),
      cleanup: () => deleteUnder(admin, prefix),
    };
  });

  describe('Redis KvStore', () => {
    it('hands the TTL to Redis, which expires the key in real time', async () => {
      const store = createRedisKvStore({ url, keyPrefix: `${run}:real:` });
      await store.set('k', 'v', 30);
      await sleep(150);
      expect(await store.get('k')).toBeUndefined();
      await store.close();
    });

    it('stores keys under its prefix', async () => {
      const prefix = `${run}:prefix:`;
      const store = createRedisKvStore({ url, keyPrefix: prefix });
      await store.set('session:abc', 'v');
      expect(await admin.get(`${prefix}session:abc`)).toBe('v');
      await store.close();
    });

    it('leaves an injected client open when the store closes', async () => {
      const client = new Redis(url);
      const store = createRedisKvStore({ client, keyPrefix: `${run}:shared:` });
      await store.set('k', 'v');
      await store.close();
      expect(await client.get(`${run}:shared:k`)).toBe('v');
      await client.quit();
    });

    it('is what createKvStore builds for { kind: "redis" }', async () => {
      const store = await createKvStore({ kind: 'redis', url, keyPrefix: `${run}:factory:` });
      await store.set('k', 'v');
      expect(store.kind).toBe('redis');
      expect(await admin.get(`${run}:factory:k`)).toBe('v');
      await store.close();
    });
  });
} else if (process.env.CI) {
  describe('Redis KvStore', () => {
    it('needs a reachable Redis on CI', () => {
      throw new Error(unreachable);
    });
  });
} else {
  console.warn(`Skipping the Redis KvStore suite: ${unreachable}. Set REDIS_URL to run it.`);
  describe.skip(`Redis KvStore (${unreachable})`, () => {
    it('runs the contract suite', () => undefined);
  });
}

// These need no Redis at all: they check that a missing or mute server costs a bounded wait, not a hang.
describe('Redis KvStore without a working server', () => {
  it('rejects get() when nothing listens on the port', { timeout: 3000 }, async () => {
    const errors: Error[] = [];
    const store = createRedisKvStore({ url: 'redis://127.0.0.1:1', onError: (error) => errors.push(error) });
    await expect(store.get('k')).rejects.toThrow();
    expect(errors.length).toBeGreaterThan(0);
    await store.close();
  });

  describe('when the server accepts connections but never answers', () => {
    let server: Server;
    let muteUrl: string;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      server = createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      muteUrl = `redis://127.0.0.1:${address.port}`;
    });
    afterAll(async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    });

    it('rejects get() once the command timeout passes', { timeout: 3000 }, async () => {
      const store = createRedisKvStore({ url: muteUrl, commandTimeoutMs: 200 });
      await expect(store.get('k')).rejects.toThrow(/timed out/);
      await store.close();
    });

    it('rejects ping() with the abort reason as soon as the signal aborts', { timeout: 3000 }, async () => {
      const store = createRedisKvStore({ url: muteUrl, commandTimeoutMs: 60_000 });
      const controller = new AbortController();
      const pinging = store.ping(controller.signal);
      controller.abort(new Error('health check gave up'));
      await expect(pinging).rejects.toThrow('health check gave up');
      await store.close();
    });
  });
});

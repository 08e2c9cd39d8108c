import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, it } from 'vitest';
import { watchRedis } from '../../src/stores/redis-health.js';
import { createRedisLimitStore } from '../../src/stores/redis-limit-store.js';
import { deleteKeysUnder, probeRedis, REDIS_URL } from '../helpers/redis.js';
import { limitStoreContract } from './limit-store.contract.js';

// The machine's Redis, one key prefix per store; unreachable → skipped with a reason, or a failure on CI.
const run = `limittest:${randomBytes(4).toString('hex')}`;
const unreachable = await probeRedis();
let counter = 0;

if (unreachable === null) {
  const clients: Redis[] = [];
  afterAll(async () => {
    await deleteKeysUnder(REDIS_URL, `${run}:`);
    await Promise.all(clients.map((client) => client.quit()));
  });
  limitStoreContract('redis', async () => {
    const client = new Redis(REDIS_URL);
    clients.push(client);
    let offset = 0;
    const keyPrefix = `${run}:${++counter}:`;
    return {
      store: createRedisLimitStore({ client, health: watchRedis(client, () => undefined), keyPrefix, now: () => Date.now() + offset }),
      advanceClock: (ms) => void (offset += ms),
      cleanup: () => deleteKeysUnder(REDIS_URL, keyPrefix),
    };
  });
} else if (process.env.CI) {
  describe('Redis LimitStore', () => {
    it('needs a reachable Redis on CI', () => {
      throw new Error(unreachable);
    });
  });
} else {
  console.warn(`Skipping the Redis LimitStore suite: ${unreachable}. Set REDIS_URL to run it.`);
  describe.skip(`Redis LimitStore (${unreachable})`, () => {
    it('runs the contract suite', () => undefined);
  });
}

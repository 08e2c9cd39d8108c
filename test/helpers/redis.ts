import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { unusedPort } from './unused-port.js';

// Redis for tests: the machine's server (shared with other test files and helpers, so every test uses its
// own key prefix and deletes only its own keys), or a private redis-server child a test may kill.

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** null when Redis answers, otherwise why not. */
export async function probeRedis(url = REDIS_URL): Promise<string | null> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    return `Redis at ${url} is unreachable (${(error as Error).message})`;
  } finally {
    client.disconnect();
  }
}

export async function deleteKeysUnder(url: string, prefix: string): Promise<void> {
  const admin = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await admin.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await admin.quit();
  }
}

export interface PrivateRedis {
  url: string;
  /** SIGKILL: the server vanishes as in a crash. */
  kill(): Promise<void>;
  /** A fresh server on the same port (empty: it saves nothing). */
  restart(): Promise<void>;
}

/** A redis-server child on a free port, persisting nothing; the caller kills it. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await unusedPort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitUntilUp(`redis://127.0.0.1:${port}`);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      const running = child;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGKILL');
      await exited;
    },
    restart: start,
  };
}

async function waitUntilUp(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await probeRedis(url)) === null) return;
    await sleep(50);
  }
  throw new Error(`redis-server at ${url} did not start`);
}

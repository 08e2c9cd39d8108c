import type { Redis } from 'ioredis';

export class RedisUnavailableError extends Error {
  constructor() {
    super('Redis is unavailable');
    this.name = 'RedisUnavailableError';
  }
}

export interface RedisHealth {
  /** False once the connection has failed and until it is ready again. */
  isUsable(): boolean;
  /** Throws RedisUnavailableError instead of letting a command wait out its timeout. */
  assertUsable(): void;
}

/**
 * While Redis is away, every command would wait for ioredis's reconnect attempt or its commandTimeout: a
 * second added to each request. After the first failure, callers fail at once until the client is ready
 * again (ioredis keeps reconnecting in the background). Before the first connection, commands may queue.
 */
export function watchRedis(client: Redis, onChange: (state: 'down' | 'up', error?: Error) => void): RedisHealth {
  let hasFailed = false;
  let isDown = false;
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  client.on('close', () => {
    hasFailed = true;
    if (isDown) return;
    isDown = true;
    onChange('down', lastError);
  });
  client.on('ready', () => {
    if (isDown) onChange('up');
    isDown = false;
  });
  const isUsable = () => client.status === 'ready' || !hasFailed;
  return {
    isUsable,
    assertUsable() {
      if (!isUsable()) throw new RedisUnavailableError();
    },
  };
}

import { Redis } from 'ioredis';
import { KvStoreClosedError, toTtlMs, type KvStore } from './kv-store.js';
import { untilAborted } from '../shared/until-aborted.js';

interface RedisKvStoreCommon {
  /** Prepended to every key, so several deployments can share one Redis. Default none. */
  keyPrefix?: string;
  /** Upper bound for any command, queued or sent. Default 1000 ms. Ignored for an injected client. */
  commandTimeoutMs?: number;
  /** Connection errors (reconnects, refused connections). Commands report their own failures as rejections. */
  onError?: (error: Error) => void;
}

/** Either a URL (the store owns and closes its connection) or a client someone else owns and closes. */
export type RedisKvStoreOptions = RedisKvStoreCommon & ({ url: string } | { client: Redis });

export const REDIS_KV_DEFAULT_COMMAND_TIMEOUT_MS = 1000;

/**
 * Redis being down must cost a request at most `commandTimeoutMs`, never a hang: callers treat a rejection as
 * a cache miss. ioredis by default queues commands while disconnected and retries each one 20 times across
 * reconnects, which parks requests for many seconds. So: `maxRetriesPerRequest: 1` flushes queued commands
 * with an error after one failed reconnect, and `commandTimeout` caps every command, including one waiting on
 * a server that accepted the connection but does not answer. The offline queue stays on so commands issued
 * while the first connection is being made still succeed; reconnection continues forever with ioredis's
 * backoff, so the store recovers by itself when Redis returns.
 */
export function createRedisKvStore(options: RedisKvStoreOptions): RedisKvStore {
  if ('client' in options) return new RedisKvStore(options.client, options.keyPrefix ?? '', false);
  const client = new Redis(options.url, {
    commandTimeout: options.commandTimeoutMs ?? REDIS_KV_DEFAULT_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    enableOfflineQueue: true,
  });
  // Without a listener ioredis prints every reconnect failure to stderr.
  client.on('error', options.onError ?? (() => undefined));
  return new RedisKvStore(client, options.keyPrefix ?? '', true);
}

export class RedisKvStore implements KvStore {
  readonly kind = 'redis' as const;
  private isClosed = false;

  constructor(
    private readonly client: Redis,
    private readonly keyPrefix: string,
    private readonly ownsClient: boolean,
  ) {}

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    return (await this.client.get(this.keyPrefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.assertOpen();
    const ttl = toTtlMs(ttlMs);
    if (ttl === undefined) await this.client.set(this.keyPrefix + key, value);
    else await this.client.set(this.keyPrefix + key, value, 'PX', ttl);
  }

  async delete(key: string): Promise<void> {
    this.assertOpen();
    await this.client.del(this.keyPrefix + key);
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    this.assertOpen();
    const ttl = toTtlMs(ttlMs);
    const reply = ttl === undefined
      ? await this.client.set(this.keyPrefix + key, value, 'NX')
      : await this.client.set(this.keyPrefix + key, value, 'PX', ttl, 'NX');
    return reply === 'OK';
  }

  async ping(signal?: AbortSignal): Promise<void> {
    this.assertOpen();
    await untilAborted(this.client.ping(), signal);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    if (!this.ownsClient) return;
    // QUIT waits for replies still in flight; when there is no live connection there is nothing to wait for.
    if (this.client.status !== 'ready') {
      this.client.disconnect();
      return;
    }
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private assertOpen(): void {
    if (this.isClosed) throw new KvStoreClosedError(this.kind);
  }
}


import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { RedisHealth } from './redis-health.js';

/**
 * express-rate-limit's request counter in Redis (rate-limit-redis: one Lua INCR + PEXPIRE, atomic across
 * instances), failing fast while Redis is away. rate-limit-redis loads its scripts once in init(); when that
 * load failed (Redis down at start-up) it would keep rethrowing the failed load, so it is redone on demand.
 */
export class RedisRequestStore implements Store {
  private readonly inner: RedisStore;
  private options: Options | undefined;

  constructor(
    client: Redis,
    private readonly health: RedisHealth,
    prefix: string,
  ) {
    this.inner = new RedisStore({
      prefix,
      sendCommand: (command: string, ...args: string[]) => client.call(command, ...args) as Promise<RedisReply>,
    });
  }

  init(options: Options): void {
    this.options = options;
    this.load();
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    this.health.assertUsable();
    return this.retrying(() => this.inner.get(key));
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    this.health.assertUsable();
    return this.retrying(() => this.inner.increment(key));
  }

  async decrement(key: string): Promise<void> {
    this.health.assertUsable();
    await this.inner.decrement(key);
  }

  async resetKey(key: string): Promise<void> {
    this.health.assertUsable();
    await this.inner.resetKey(key);
  }

  private load(): void {
    if (!this.options) return;
    // Handled here so a load that fails while nobody awaits it is not an unhandled rejection.
    this.inner.init(this.options).catch(() => undefined);
  }

  private async retrying<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      if (!(await this.loadFailed())) throw error;
      this.load();
      return command();
    }
  }

  private async loadFailed(): Promise<boolean> {
    try {
      await Promise.all([this.inner.incrementScriptSha, this.inner.getScriptSha]);
      return false;
    } catch {
      return true;
    }
  }
}

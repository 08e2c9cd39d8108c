import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  createPeriodClock,
  TOKEN_WINDOW_MS,
  type CalendarPeriods,
  type LimitStore,
  type StreamLease,
  type TokenLimits,
  type TokenReservation,
  type TokenTicket,
  type TokenUsage,
} from './limit-store.js';
import { ACQUIRE_STREAM, RENEW_STREAM, RESERVE_TOKENS, SETTLE_TOKENS } from './redis-limit-scripts.js';
import type { RedisHealth } from './redis-health.js';

export interface RedisLimitStoreOptions {
  /** Shared with other features; owned (and closed) by whoever created it. */
  client: Redis;
  health: RedisHealth;
  /** Prepended to every key, e.g. "oop:"; instances that share limits use the same prefix. */
  keyPrefix: string;
  now?: () => number;
}

interface Script {
  lua: string;
  sha: string;
}

const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
const SCRIPTS = { reserve: script(RESERVE_TOKENS), settle: script(SETTLE_TOKENS), acquire: script(ACQUIRE_STREAM), renew: script(RENEW_STREAM) };
/** Quota counters outlive their period by a day, so a late settlement still finds them. */
const PERIOD_SLACK_MS = 86_400_000;
const REFUSALS = [undefined, 'minute', 'day', 'month'] as const;

/** Counters in Redis, changed only by the Lua scripts; keys: tpm:<id>, tpd:<id>:<day>, tpmo:<id>:<month>, streams:<id>. */
export function createRedisLimitStore(options: RedisLimitStoreOptions): LimitStore {
  return new RedisLimitStore(options.client, options.health, options.keyPrefix, options.now ?? Date.now);
}

class RedisLimitStore implements LimitStore {
  readonly kind = 'redis' as const;
  private readonly clock: () => CalendarPeriods & { now: number };

  constructor(
    private readonly client: Redis,
    private readonly health: RedisHealth,
    private readonly keyPrefix: string,
    private readonly now: () => number,
  ) {
    this.clock = createPeriodClock(now);
  }

  async reserveTokens(identity: string, estimate: number, limits: TokenLimits): Promise<TokenReservation> {
    // A copy: the clock's object is reused by the next call, which may come while we await Redis.
    const period = { ...this.clock() };
    const args = [estimate, limits.perMinute ?? -1, TOKEN_WINDOW_MS, limits.perDay ?? -1, period.dayEndsAt - period.now + PERIOD_SLACK_MS,
      limits.perMonth ?? -1, period.monthEndsAt - period.now + PERIOD_SLACK_MS];
    const reply = (await this.run(SCRIPTS.reserve, this.tokenKeys(identity, period.day, period.month), args)) as number[];
    const [refused = 0, minute = 0, minuteTtl = TOKEN_WINDOW_MS, day = 0, month = 0] = reply;
    const usage: TokenUsage = {
      minute: { used: minute, resetsAt: period.now + minuteTtl },
      day: { used: day, resetsAt: period.dayEndsAt },
      month: { used: month, resetsAt: period.monthEndsAt },
    };
    const exceeded = REFUSALS[refused];
    if (exceeded) return { ok: false, exceeded, usage };
    return { ok: true, usage, ticket: { identity, reserved: estimate, day: period.day, month: period.month } };
  }

  async settleTokens(ticket: TokenTicket, actual: number): Promise<void> {
    if (actual === ticket.reserved) return;
    await this.run(SCRIPTS.settle, this.tokenKeys(ticket.identity, ticket.day, ticket.month), [actual - ticket.reserved]);
  }

  async acquireStream(identity: string, limit: number, leaseMs: number): Promise<StreamLease> {
    const lease = randomUUID();
    const reply = (await this.run(SCRIPTS.acquire, [this.key('streams', identity)], [limit, lease, this.now(), leaseMs])) as number[];
    const [granted = 0, active = 0] = reply;
    return { ok: granted === 1, active, lease };
  }

  async renewStream(identity: string, lease: string, leaseMs: number): Promise<void> {
    await this.run(SCRIPTS.renew, [this.key('streams', identity)], [lease, this.now(), leaseMs]);
  }

  async releaseStream(identity: string, lease: string): Promise<void> {
    this.health.assertUsable();
    await this.client.zrem(this.key('streams', identity), lease);
  }

  async readUsage(identity: string): Promise<{ tokens: TokenUsage; streams: number }> {
    const tokens = (await this.reserveTokens(identity, 0, {})).usage;
    const streams = await this.client.zcount(this.key('streams', identity), `(${this.now()}`, '+inf');
    return { tokens, streams };
  }

  /** The client belongs to the caller. */
  async close(): Promise<void> {}

  private key(...parts: string[]): string {
    return this.keyPrefix + parts.join(':');
  }

  private tokenKeys(identity: string, day: string, month: string): string[] {
    return [this.key('tpm', identity), this.key('tpd', identity, day), this.key('tpmo', identity, month)];
  }

  /** EVALSHA first; after a Redis restart the script cache is empty, so NOSCRIPT falls back to EVAL once. */
  private async run({ lua, sha }: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
    this.health.assertUsable();
    try {
      return await this.client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(lua, keys.length, ...keys, ...args);
    }
  }
}

import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  createPeriodClock,
  TOKEN_WINDOW_MS,
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

/** Quota counters outlive their period by a day, so a late settlement still finds them. */
const PERIOD_SLACK_MS = 86_400_000;
const REFUSALS = [undefined, 'minute', 'day', 'month'] as const;

/** Counters in Redis, changed only by the Lua scripts (EVALSHA, reloaded by ioredis after a restart). */
export function createRedisLimitStore(options: RedisLimitStoreOptions): LimitStore {
  const { client, health } = options;
  const now = options.now ?? Date.now;
  const clock = createPeriodClock(now);
  const key = (...parts: string[]) => options.keyPrefix + parts.join(':');
  const tokenKeys = (identity: string, day: string, month: string) => [key('tpm', identity), key('tpd', identity, day), key('tpmo', identity, month)];
  // EVALSHA first; after a Redis restart the script cache is empty, so NOSCRIPT falls back to EVAL once.
  const run = async ({ lua, sha }: Script, keys: string[], args: Array<string | number>): Promise<unknown> => {
    health.assertUsable();
    return client.evalsha(sha, keys.length, ...keys, ...args).catch((error: unknown) => {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(lua, keys.length, ...keys, ...args);
    });
  };
  const reserveTokens = async (identity: string, estimate: number, limits: TokenLimits): Promise<TokenReservation> => {
    const period = clock();
    const args = [estimate, limits.perMinute ?? -1, TOKEN_WINDOW_MS, limits.perDay ?? -1, period.dayEndsAt - period.now + PERIOD_SLACK_MS,
      limits.perMonth ?? -1, period.monthEndsAt - period.now + PERIOD_SLACK_MS];
    const reply = (await run(SCRIPTS.reserve, tokenKeys(identity, period.day, period.month), args)) as number[];
    const [refused = 0, minute = 0, minuteTtl = TOKEN_WINDOW_MS, day = 0, month = 0] = reply;
    const usage: TokenUsage = {
      minute: { used: minute, resetsAt: period.now + minuteTtl },
      day: { used: day, resetsAt: period.dayEndsAt },
      month: { used: month, resetsAt: period.monthEndsAt },
    };
    const exceeded = REFUSALS[refused];
    if (exceeded) return { ok: false, exceeded, usage };
    return { ok: true, usage, ticket: { identity, reserved: estimate, day: period.day, month: period.month } };
  };

  return {
    kind: 'redis',
    reserveTokens,
    async settleTokens(ticket: TokenTicket, actual: number): Promise<void> {
      if (actual === ticket.reserved) return;
      await run(SCRIPTS.settle, tokenKeys(ticket.identity, ticket.day, ticket.month), [actual - ticket.reserved]);
    },
    async acquireStream(identity: string, limit: number, leaseMs: number): Promise<StreamLease> {
      const lease = randomUUID();
      const [granted = 0, active = 0] = (await run(SCRIPTS.acquire, [key('streams', identity)], [limit, lease, now(), leaseMs])) as number[];
      return { ok: granted === 1, active, lease };
    },
    async renewStream(identity: string, lease: string, leaseMs: number): Promise<void> {
      await run(SCRIPTS.renew, [key('streams', identity)], [lease, now(), leaseMs]);
    },
    async releaseStream(identity: string, lease: string): Promise<void> {
      health.assertUsable();
      await client.zrem(key('streams', identity), lease);
    },
    async readUsage(identity: string) {
      const tokens = (await reserveTokens(identity, 0, {})).usage;
      const streams = await client.zcount(key('streams', identity), `(${now()}`, '+inf');
      return { tokens, streams };
    },
    // The client belongs to the caller.
    async close() {},
  };
}

interface Script {
  lua: string;
  sha: string;
}

const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
const SCRIPTS = { reserve: script(RESERVE_TOKENS), settle: script(SETTLE_TOKENS), acquire: script(ACQUIRE_STREAM), renew: script(RENEW_STREAM) };

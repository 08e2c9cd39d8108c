import type { Request, Response } from 'express';
import { AuthenticationError } from '../../core/errors.js';
import type { PeriodUsage } from '../../stores/limit-store.js';
import { formatResetDuration } from './ratelimit-headers.js';
import type { RateLimits } from './rate-limits.js';
import { limitIdentity, type ResolvedLimits } from './resolve-limits.js';

/**
 * GET /api/v1/limits/me: the caller's limits and what it used of them.
 * GET /api/v1/limits/:keyId (admin): the same counters for a key. Its configured tier is not known here
 * (that is in the key store, /api/v1/keys/{id}), so that answer carries usage only.
 */
export function limitsRoutes(rateLimits: RateLimits) {
  const usageOf = async (identity: string, limits: ResolvedLimits | undefined) => {
    const [requests, { tokens, streams }] = await Promise.all([rateLimits.requestCounter.read(identity), rateLimits.limits.readUsage(identity)]);
    const now = Date.now();
    const period = (usage: PeriodUsage, limit: number | undefined) => ({
      used: usage.used,
      limit: limit ?? null,
      remaining: limit === undefined ? null : Math.max(0, limit - usage.used),
      resets_in: formatResetDuration(usage.resetsAt - now),
    });
    return {
      object: 'rate_limit_usage',
      identity,
      ...(limits ? { tier: limits.tier, limits: toWireLimits(limits) } : {}),
      requests: { used: requests?.used ?? 0, resets_in: formatResetDuration((requests?.resetsAt ?? now) - now) },
      tokens: {
        minute: period(tokens.minute, limits?.tokensPerMinute),
        day: period(tokens.day, limits?.tokensPerDay),
        month: period(tokens.month, limits?.tokensPerMonth),
      },
      streams: { active: streams, limit: limits?.concurrentStreams ?? null },
    };
  };
  return {
    async me(req: Request, res: Response): Promise<void> {
      const principal = res.locals.principal;
      if (!principal) throw new AuthenticationError();
      res.json(await usageOf(limitIdentity(principal, res.locals.clientIp), rateLimits.resolve(principal)));
    },
    async forKey(req: Request, res: Response): Promise<void> {
      res.json(await usageOf(`key:${String(req.params.keyId)}`, undefined));
    },
  };
}

function toWireLimits(limits: ResolvedLimits) {
  return {
    requests_per_minute: limits.requestsPerMinute,
    burst: limits.burst,
    tokens_per_minute: limits.tokensPerMinute,
    concurrent_streams: limits.concurrentStreams ?? null,
    tokens_per_day: limits.tokensPerDay ?? null,
    tokens_per_month: limits.tokensPerMonth ?? null,
  };
}

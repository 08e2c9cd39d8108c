import { MemoryStore, type ClientRateLimitInfo, type Options, type Store } from 'express-rate-limit';
import { RateLimitError } from '../../core/errors.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Handler } from '../http-types.js';
import { retryAfterSeconds, setRequestHeaders } from './ratelimit-headers.js';
import { refusalOnStoreFailure, type StoreFailurePolicy } from './store-failure.js';
import { limitIdentity, type LimitResolver } from './resolve-limits.js';

export interface RequestLimitDeps {
  /** rate-limit-redis when instances share Redis; express-rate-limit's MemoryStore otherwise. */
  store: Store | undefined;
  resolve: LimitResolver;
  metrics: Metrics;
  failure: StoreFailurePolicy;
}

export const REQUEST_WINDOW_MS = 60_000;

export interface RequestLimit {
  middleware: Handler;
  /** Requests counted in the identity's current window (usage endpoints). */
  read(identity: string): Promise<{ used: number; resetsAt: number } | undefined>;
}

/**
 * Requests per minute: one 60 s window per identity, opened by its first request, admitting
 * requestsPerMinute + burst. The burst is the slack a client may spend at once above the steady rate; both
 * live in the one window because the store counts a single window per key. The store is express-rate-limit's
 * (its MemoryStore, or rate-limit-redis across instances); it increments and returns the count in one step,
 * so the decision cannot race another instance. The check is made here rather than by express-rate-limit's
 * middleware, whose chain of awaits per request cost more than the count itself.
 */
export function requestLimit(deps: RequestLimitDeps): RequestLimit {
  const store = deps.store ?? new MemoryStore();
  // What express-rate-limit does when it is created: the store learns the window length.
  void Promise.resolve(store.init?.({ windowMs: REQUEST_WINDOW_MS } as Options)).catch((error: unknown) => deps.failure.report(error));
  const middleware: Handler = (_req, res, next) => {
    const { principal, clientIp } = res.locals;
    const limits = deps.resolve(principal);
    const limit = limits.requestsPerMinute + limits.burst;
    let counted: Promise<ClientRateLimitInfo> | ClientRateLimitInfo;
    try {
      counted = store.increment(limitIdentity(principal, clientIp));
    } catch (error) {
      return next(refusalOnStoreFailure(deps.failure, error));
    }
    Promise.resolve(counted).then(
      ({ totalHits, resetTime }) => {
        const resetMs = resetTime ? Math.max(0, resetTime.getTime() - Date.now()) : REQUEST_WINDOW_MS;
        setRequestHeaders(res, { limit, remaining: limit - totalHits, resetMs });
        if (totalHits <= limit) return next();
        deps.metrics.rateLimited('requests');
        next(new RateLimitError(`Rate limit reached for requests: limit ${limit} per minute, used ${totalHits}. Retry after ${retryAfterSeconds(resetMs)}s.`, resetMs / 1000));
      },
      (error: unknown) => next(refusalOnStoreFailure(deps.failure, error)),
    );
  };
  return {
    middleware,
    async read(identity) {
      const info = await store.get?.(identity);
      return info ? { used: info.totalHits, resetsAt: info.resetTime?.getTime() ?? Date.now() + REQUEST_WINDOW_MS } : undefined;
    },
  };
}

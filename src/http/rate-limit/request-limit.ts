import type { NextFunction, Request, Response } from 'express';
import { MemoryStore, rateLimit, type AugmentedRequest, type RateLimitInfo, type Store } from 'express-rate-limit';
import { ProxyError, RateLimitError } from '../../core/errors.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Handler, HttpRequest } from '../http-types.js';
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
 * Requests per minute through express-rate-limit: one 60 s window per identity, opened by its first
 * request, admitting requestsPerMinute + burst. The burst is the slack a client may spend at once above
 * the steady rate; both live in the one window because express-rate-limit counts a single window per key.
 * The store increments and returns the count in one step, so the decision cannot race another instance.
 */
export function requestLimit(deps: RequestLimitDeps): RequestLimit {
  const store = deps.store ?? new MemoryStore();
  const limiter = createLimiter(deps, store);
  // express-rate-limit reads only Node's request/response API plus res.locals, so it runs on plain objects too.
  const middleware: Handler = (req, res, next) => {
    void limiter(req as Request, res as unknown as Response, (error?: unknown) => {
      const info = rateLimitInfo(req);
      if (info) setRequestHeaders(res, { limit: info.limit, remaining: info.remaining, resetMs: resetIn(info) });
      if (error === undefined || error instanceof ProxyError) return next(error);
      // Anything else is the store failing (express-rate-limit passes its errors on).
      next(refusalOnStoreFailure(deps.failure, error));
    });
  };
  return {
    middleware,
    async read(identity) {
      const info = await store.get?.(identity);
      return info ? { used: info.totalHits, resetsAt: info.resetTime?.getTime() ?? Date.now() + REQUEST_WINDOW_MS } : undefined;
    },
  };
}

function createLimiter(deps: RequestLimitDeps, store: Store) {
  return rateLimit({
    windowMs: REQUEST_WINDOW_MS,
    limit: (_req, res) => {
      const limits = deps.resolve(res.locals.principal);
      return limits.requestsPerMinute + limits.burst;
    },
    keyGenerator: (_req, res) => limitIdentity(res.locals.principal, res.locals.clientIp),
    // The OpenAI headers are set by the middleware above, for passes and refusals alike.
    standardHeaders: false,
    legacyHeaders: false,
    validate: false,
    // Failures are decided by refusalOnStoreFailure, so the library always passes them on.
    passOnStoreError: false,
    store,
    // Store failures are logged and counted once, by the failure policy.
    logger: { error: () => undefined, warn: () => undefined },
    handler: (req: Request, _res: Response, next: NextFunction) => {
      const info = rateLimitInfo(req)!;
      const resetMs = resetIn(info);
      deps.metrics.rateLimited('requests');
      next(new RateLimitError(`Rate limit reached for requests: limit ${info.limit} per minute, used ${info.used}. Retry after ${retryAfterSeconds(resetMs)}s.`, resetMs / 1000));
    },
  });
}

function rateLimitInfo(req: HttpRequest): RateLimitInfo | undefined {
  return (req as AugmentedRequest).rateLimit;
}

function resetIn(info: RateLimitInfo): number {
  return info.resetTime ? Math.max(0, info.resetTime.getTime() - Date.now()) : REQUEST_WINDOW_MS;
}

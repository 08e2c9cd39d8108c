import type { Store } from 'express-rate-limit';
import type { Config } from '../../config/config-schema.js';
import type { Metrics } from '../../observability/metrics.js';
import type { LimitStore } from '../../stores/limit-store.js';
import type { Handler } from '../http-types.js';
import { requestLimit, type RequestLimit } from './request-limit.js';
import { createLimitResolver, isUnlimitedMaster, type LimitResolver } from './resolve-limits.js';
import type { StoreFailurePolicy } from './store-failure.js';
import { streamLimit } from './stream-limit.js';
import { tokenLimit } from './token-limit.js';

export interface RateLimitsDeps {
  config: Config['rateLimit'];
  limits: LimitStore;
  requestStore: Store | undefined;
  metrics: Metrics;
  /** Logs and counts a failed store operation (Redis away). */
  reportStoreError: (error: unknown) => void;
}

export interface RateLimits {
  /** Right after authentication: requests per minute (needs no body). */
  requests: Handler;
  /** After the JSON parser: tokens per minute, quotas, concurrent streams. */
  tokensAndStreams: Handler[];
  resolve: LimitResolver;
  requestCounter: RequestLimit;
  limits: LimitStore;
}

/** The rate-limit middleware for /v1, built once at start-up. */
export function createRateLimits(deps: RateLimitsDeps): RateLimits {
  const resolve = createLimitResolver(deps.config);
  const failure: StoreFailurePolicy = { failMode: deps.config.failMode, metrics: deps.metrics, report: deps.reportStoreError };
  const requestCounter = requestLimit({ store: deps.requestStore, resolve, metrics: deps.metrics, failure });
  const common = { limits: deps.limits, resolve, metrics: deps.metrics, failure };
  const unlimited = isUnlimitedMaster(deps.config);
  const exceptUnlimited = (handler: Handler): Handler => (req, res, next) => (unlimited(res.locals.principal) ? next() : handler(req, res, next));
  return {
    requests: exceptUnlimited(requestCounter.middleware),
    tokensAndStreams: [tokenLimit({ ...common, estimatedCompletionTokens: deps.config.estimatedCompletionTokens }), streamLimit(common)].map(exceptUnlimited),
    resolve,
    requestCounter,
    limits: deps.limits,
  };
}

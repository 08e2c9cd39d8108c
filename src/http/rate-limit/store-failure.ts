import { ProxyError } from '../../core/errors.js';
import type { Metrics } from '../../observability/metrics.js';

/** What a failing limit store (Redis away) means for requests: configured as RATE_LIMIT_FAIL_MODE. */
export interface StoreFailurePolicy {
  failMode: 'open' | 'closed';
  metrics: Metrics;
  /** Logs and counts one failed store operation. */
  report(error: unknown): void;
}

/** Fail open: undefined, the request goes on unlimited. Fail closed: a 503 to refuse it with. */
export function refusalOnStoreFailure(policy: StoreFailurePolicy, error: unknown): ProxyError | undefined {
  policy.report(error);
  if (policy.failMode === 'open') return undefined;
  policy.metrics.rateLimited('unavailable');
  return new ProxyError('service_unavailable', 'Rate limiting is temporarily unavailable; retry shortly.', {
    headers: { 'retry-after': '1' },
    cause: error,
  });
}

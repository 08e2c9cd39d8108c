import { RateLimitError } from '../../core/errors.js';
import type { Metrics } from '../../observability/metrics.js';
import type { LimitStore, StreamLease } from '../../stores/limit-store.js';
import type { Handler, HttpRequest, HttpResponse, Next } from '../http-types.js';
import { refusalOnStoreFailure, type StoreFailurePolicy } from './store-failure.js';
import { limitIdentity, type LimitResolver } from './resolve-limits.js';

export interface StreamLimitDeps {
  limits: LimitStore;
  resolve: LimitResolver;
  metrics: Metrics;
  failure: StoreFailurePolicy;
  /** How long a lease lives without renewal: the safety net for an instance that dies mid-stream. */
  leaseMs?: number;
}

const DEFAULT_LEASE_MS = 60_000;

/**
 * Concurrent streams per identity. A streamed request holds a lease from before the call until its
 * response closes (finished or aborted). The lease is renewed while the stream runs, so one left behind
 * by a crashed instance (in Redis) frees itself within `leaseMs`.
 */
export function streamLimit(deps: StreamLimitDeps): Handler {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  return async function streamLimitMiddleware(_req: HttpRequest, res: HttpResponse, next: Next): Promise<void> {
    const limit = deps.resolve(res.locals.principal).concurrentStreams;
    if (limit === undefined || res.locals.call?.stream !== true) return next();
    const identity = limitIdentity(res.locals.principal, res.locals.clientIp);
    let lease: StreamLease;
    try {
      lease = await deps.limits.acquireStream(identity, limit, leaseMs);
    } catch (error) {
      return next(refusalOnStoreFailure(deps.failure, error));
    }
    if (!lease.ok) {
      deps.metrics.rateLimited('streams');
      return next(new RateLimitError(`Rate limit reached for concurrent streams: limit ${limit}, open ${lease.active}. Retry when one finishes.`, 1));
    }
    const renewal = setInterval(() => renew(deps, identity, lease.lease, leaseMs), leaseMs / 3);
    renewal.unref();
    res.once('close', () => {
      clearInterval(renewal);
      deps.limits.releaseStream(identity, lease.lease).catch((error: unknown) => deps.failure.report(error));
    });
    next();
  };
}

function renew(deps: StreamLimitDeps, identity: string, lease: string, leaseMs: number): void {
  deps.limits.renewStream(identity, lease, leaseMs).catch((error: unknown) => deps.failure.report(error));
}


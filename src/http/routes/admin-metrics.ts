import type { Request, Response } from 'express';
import type { MetricsSummary } from '../../observability/metrics-summary.js';

/** Route labels the summary leaves out: the console's own polling would otherwise count as traffic. */
export const CONSOLE_ROUTES: ReadonlySet<string> = new Set(['/api/v1/metrics/summary', '/console']);

export function toMetricsSummaryJson(summary: MetricsSummary) {
  const { latency } = summary;
  // JSON has no Infinity: the +Inf bucket is `count`.
  const finite = latency.bounds.flatMap((bound, i) => (Number.isFinite(bound) ? [[bound, latency.counts[i]!] as const] : []));
  return {
    object: 'metrics.summary' as const,
    at: summary.at.toISOString(),
    requests: summary.requests,
    client_errors: summary.clientErrors,
    server_errors: summary.serverErrors,
    latency_seconds: { buckets: finite.map(([le, count]) => ({ le, count })), count: latency.count, sum: latency.sum },
    tokens: { prompt: summary.promptTokens, completion: summary.completionTokens },
    cache_lookups: summary.cache,
    active_streams: summary.activeStreams,
  };
}

/** GET /api/v1/metrics/summary (scope `admin`): cumulative counters for the console's overview. */
export function adminMetricsRoute(summarize: () => Promise<MetricsSummary>) {
  return async function adminMetrics(_req: Request, res: Response): Promise<void> {
    res.setHeader('cache-control', 'no-store');
    res.json(toMetricsSummaryJson(await summarize()));
  };
}

import type { MetricObjectWithValues, MetricValue, MetricValueWithName, Registry } from 'prom-client';

// The console's overview reads this instead of parsing the Prometheus text: the same registry, summed over
// labels. Every number is cumulative since start (except open streams); the browser turns two snapshots into
// rates and latency quantiles, so the server keeps no history and costs nothing while nobody watches.

export interface MetricsSummary {
  at: Date;
  requests: number;
  clientErrors: number;
  serverErrors: number;
  /** Request latency: cumulative bucket counts per upper bound (seconds), as Prometheus keeps them. */
  latency: { bounds: number[]; counts: number[]; count: number; sum: number };
  promptTokens: number;
  completionTokens: number;
  /** Response-cache lookups by result (hit, miss, bypass, error). */
  cache: Record<string, number>;
  activeStreams: number;
}

type Values = MetricObjectWithValues<MetricValue<string> | MetricValueWithName<string>>;

async function read(registry: Registry, name: string): Promise<Values['values']> {
  const metric = registry.getSingleMetric(name);
  // get() runs the metric's collect(), which applies the deferred per-request updates first.
  return metric ? ((await metric.get()) as Values).values : [];
}

/** `excludeRoutes`: route labels left out of request and latency figures (the console's own polling). */
export async function summarizeMetrics(registry: Registry, excludeRoutes: ReadonlySet<string>, now: Date = new Date()): Promise<MetricsSummary> {
  const [requests, durations, tokens, cache, streams] = await Promise.all(
    ['proxy_http_requests_total', 'proxy_http_request_duration_seconds', 'proxy_tokens_total', 'proxy_cache_lookups_total', 'proxy_active_streams'].map(
      (name) => read(registry, name),
    ),
  );
  const counted = (labels: Record<string, unknown>) => !excludeRoutes.has(String(labels.route));
  const summary: MetricsSummary = {
    at: now,
    requests: 0,
    clientErrors: 0,
    serverErrors: 0,
    latency: { bounds: [], counts: [], count: 0, sum: 0 },
    promptTokens: 0,
    completionTokens: 0,
    cache: {},
    activeStreams: streams!.reduce((sum, entry) => sum + entry.value, 0),
  };
  for (const { labels, value } of requests!.filter((entry) => counted(entry.labels))) {
    const status = Number(labels.status);
    summary.requests += value;
    if (status >= 500) summary.serverErrors += value;
    else if (status >= 400) summary.clientErrors += value;
  }
  addLatency(summary.latency, durations!.filter((entry) => counted(entry.labels)));
  for (const { labels, value } of tokens!) {
    if (labels.kind === 'prompt') summary.promptTokens += value;
    else if (labels.kind === 'completion') summary.completionTokens += value;
  }
  for (const { labels, value } of cache!) summary.cache[String(labels.result)] = (summary.cache[String(labels.result)] ?? 0) + value;
  return summary;
}

/** Sums the per-route histograms into one: bucket counts by bound (+Inf last), count and sum. */
function addLatency(latency: MetricsSummary['latency'], values: Values['values']): void {
  const byBound = new Map<number, number>();
  for (const entry of values) {
    const name = 'metricName' in entry ? entry.metricName : '';
    if (name.endsWith('_bucket')) {
      const le = entry.labels.le;
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
      byBound.set(bound, (byBound.get(bound) ?? 0) + entry.value);
    } else if (name.endsWith('_count')) latency.count += entry.value;
    else if (name.endsWith('_sum')) latency.sum += entry.value;
  }
  const bounds = [...byBound.keys()].sort((a, b) => a - b);
  latency.bounds = bounds;
  latency.counts = bounds.map((bound) => byBound.get(bound)!);
}

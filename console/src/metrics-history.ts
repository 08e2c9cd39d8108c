// The overview's numbers, from two snapshots of GET /api/v1/metrics/summary (cumulative counters): rates over
// the interval between them and latency quantiles from the histogram's bucket deltas. Pure; no DOM.

export interface SummaryWire {
  at: string;
  requests: number;
  client_errors: number;
  server_errors: number;
  latency_seconds: { buckets: { le: number; count: number }[]; count: number; sum: number };
  tokens: { prompt: number; completion: number };
  cache_lookups: Record<string, number>;
  active_streams: number;
}

export interface Point {
  /** Unix seconds (uPlot's x axis). */
  t: number;
  requestsPerSecond: number;
  /** Milliseconds; null when no request finished in the interval. */
  p50: number | null;
  p99: number | null;
  tokensPerSecond: number;
  /** Share of responses with status >= 400, in percent; null without requests. */
  errorRate: number | null;
  /** Hits among hits and misses, in percent; null without lookups. */
  cacheHitRate: number | null;
  openStreams: number;
}

/** The q-quantile (0..1) of the requests counted in the bucket deltas, interpolated inside its bucket (Prometheus' way). */
export function latencyQuantile(buckets: { le: number; count: number }[], total: number, q: number): number | null {
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const { le, count } of buckets) {
    if (count >= rank) {
      const inBucket = count - below;
      return inBucket <= 0 ? le : lower + ((le - lower) * (rank - below)) / inBucket;
    }
    lower = le;
    below = count;
  }
  // Beyond the largest finite bound: the bound is the best honest answer.
  return lower;
}

const tokenTotal = (s: SummaryWire) => s.tokens.prompt + s.tokens.completion;
const errorTotal = (s: SummaryWire) => s.client_errors + s.server_errors;

export function toPoint(previous: SummaryWire, next: SummaryWire): Point {
  const seconds = Math.max(0.001, (Date.parse(next.at) - Date.parse(previous.at)) / 1000);
  // A restarted server starts its counters again from zero: count from there.
  const delta = (a: number, b: number) => (b >= a ? b - a : b);
  const requests = delta(previous.requests, next.requests);
  const finished = delta(previous.latency_seconds.count, next.latency_seconds.count);
  const buckets = next.latency_seconds.buckets.map(({ le, count }, i) => ({ le, count: delta(previous.latency_seconds.buckets[i]?.count ?? 0, count) }));
  const hits = delta(previous.cache_lookups.hit ?? 0, next.cache_lookups.hit ?? 0);
  const misses = delta(previous.cache_lookups.miss ?? 0, next.cache_lookups.miss ?? 0);
  const toMs = (value: number | null) => (value === null ? null : Math.round(value * 100_000) / 100);
  return {
    t: Date.parse(next.at) / 1000,
    requestsPerSecond: requests / seconds,
    p50: toMs(latencyQuantile(buckets, finished, 0.5)),
    p99: toMs(latencyQuantile(buckets, finished, 0.99)),
    tokensPerSecond: delta(tokenTotal(previous), tokenTotal(next)) / seconds,
    errorRate: requests === 0 ? null : (100 * delta(errorTotal(previous), errorTotal(next))) / requests,
    cacheHitRate: hits + misses === 0 ? null : (100 * hits) / (hits + misses),
    openStreams: next.active_streams,
  };
}

/** Appends and drops points older than `windowSeconds` before the newest. Returns a new array. */
export function appendPoint(points: readonly Point[], point: Point, windowSeconds = 3600): Point[] {
  const oldest = point.t - windowSeconds;
  return [...points.filter((p) => p.t >= oldest), point];
}

/** The snapshots of the last `windowSeconds` (and the newest), for figures over a fixed recent window. */
export function recentSnapshots(snapshots: readonly SummaryWire[], next: SummaryWire, windowSeconds = 60): SummaryWire[] {
  const oldest = Date.parse(next.at) - windowSeconds * 1000;
  // Keep one snapshot at or before the window's start, so the window is covered in full once it can be.
  const inside = snapshots.filter((s) => Date.parse(s.at) >= oldest);
  const before = snapshots.filter((s) => Date.parse(s.at) < oldest).at(-1);
  return [...(before ? [before] : []), ...inside, next];
}

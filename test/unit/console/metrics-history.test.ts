import { describe, expect, it } from 'vitest';
import { appendPoint, latencyQuantile, recentSnapshots, toPoint, type Point, type SummaryWire } from '../../../console/src/metrics-history.js';

// The overview's arithmetic: rates and latency quantiles from two cumulative snapshots of the metrics summary.

const BOUNDS = [0.01, 0.1, 1];

function snapshot(at: string, fields: Partial<Omit<SummaryWire, 'latency_seconds'>> & { latency?: number[]; finished?: number } = {}): SummaryWire {
  const counts = fields.latency ?? [0, 0, 0];
  return {
    at,
    requests: fields.requests ?? 0,
    client_errors: fields.client_errors ?? 0,
    server_errors: fields.server_errors ?? 0,
    latency_seconds: { buckets: BOUNDS.map((le, i) => ({ le, count: counts[i]! })), count: fields.finished ?? counts.at(-1)!, sum: 0 },
    tokens: fields.tokens ?? { prompt: 0, completion: 0 },
    cache_lookups: fields.cache_lookups ?? {},
    active_streams: fields.active_streams ?? 0,
  };
}

describe('latencyQuantile', () => {
  it('interpolates inside the bucket that holds the rank', () => {
    // 10 requests: 4 under 10 ms, 6 between 10 and 100 ms.
    const buckets = [{ le: 0.01, count: 4 }, { le: 0.1, count: 10 }, { le: 1, count: 10 }];
    expect(latencyQuantile(buckets, 10, 0.5)).toBeCloseTo(0.01 + (0.09 * 1) / 6);
    expect(latencyQuantile(buckets, 10, 0.2)).toBeCloseTo(0.005);
  });

  it('answers null without requests and the largest bound beyond it', () => {
    expect(latencyQuantile([{ le: 1, count: 0 }], 0, 0.5)).toBeNull();
    expect(latencyQuantile([{ le: 0.01, count: 0 }, { le: 1, count: 1 }], 4, 0.99)).toBe(1);
  });
});

describe('toPoint', () => {
  it('turns counter deltas into per-second rates and percentages', () => {
    const before = snapshot('2026-01-01T00:00:00.000Z', { requests: 10, client_errors: 1, tokens: { prompt: 100, completion: 50 }, cache_lookups: { hit: 1, miss: 1 }, latency: [5, 10, 10] });
    const after = snapshot('2026-01-01T00:00:02.000Z', {
      requests: 20, client_errors: 2, server_errors: 1, tokens: { prompt: 140, completion: 70 }, cache_lookups: { hit: 4, miss: 2, bypass: 9 }, latency: [15, 20, 20], active_streams: 3,
    });
    const point = toPoint(before, after);
    expect(point).toMatchObject({ t: Date.parse(after.at) / 1000, requestsPerSecond: 5, tokensPerSecond: 30, errorRate: 20, cacheHitRate: 75, openStreams: 3 });
    // All 10 new requests fell under 10 ms: p50 is half-way into that bucket.
    expect(point.p50).toBe(5);
  });

  it('has no latency, error or hit rate for an idle interval', () => {
    const idle = toPoint(snapshot('2026-01-01T00:00:00Z', { requests: 3 }), snapshot('2026-01-01T00:00:05Z', { requests: 3 }));
    expect(idle).toMatchObject({ requestsPerSecond: 0, p50: null, p99: null, errorRate: null, cacheHitRate: null });
  });

  it('counts from zero again when the server restarted (counters went down)', () => {
    const point = toPoint(snapshot('2026-01-01T00:00:00Z', { requests: 500 }), snapshot('2026-01-01T00:00:01Z', { requests: 4 }));
    expect(point.requestsPerSecond).toBe(4);
  });
});

describe('appendPoint', () => {
  it('keeps only the last hour', () => {
    const at = (t: number): Point => ({ t, requestsPerSecond: 0, p50: null, p99: null, tokensPerSecond: 0, errorRate: null, cacheHitRate: null, openStreams: 0 });
    const points = appendPoint([at(0), at(100), at(3700)], at(3800));
    expect(points.map((p) => p.t)).toEqual([3700, 3800]);
  });
});

describe('recentSnapshots', () => {
  it('keeps the last minute plus the one snapshot just before it', () => {
    const at = (second: number) => snapshot(new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + second * 1000).toISOString());
    const kept = recentSnapshots([at(0), at(10), at(20), at(50)], at(75));
    expect(kept).toEqual([at(10), at(20), at(50), at(75)]);
  });
});

import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createDeferredUpdates } from '../../../src/observability/deferred-updates.js';
import { createMetrics } from '../../../src/observability/metrics.js';

describe('deferred metric updates', () => {
  it('reach prom-client summed when the registry is read, and not before', async () => {
    const registry = new Registry();
    const deferred = createDeferredUpdates();
    const collect = () => deferred.flush();
    const counter = new Counter({ name: 'c_total', help: 'c', labelNames: ['k'], registers: [registry], collect });
    const histogram = new Histogram({ name: 'h_seconds', help: 'h', buckets: [1, 10], registers: [registry], collect });
    deferred.inc(counter.labels('a'));
    deferred.inc(counter.labels('a'), 4);
    deferred.observe(histogram, 0.5);
    deferred.observe(histogram, 5);
    expect((await counter.get()).values).toEqual([{ value: 5, labels: { k: 'a' } }]);
    const text = await registry.metrics();
    expect(text).toContain('h_seconds_count 2');
    expect(text).toContain('h_seconds_bucket{le="1"} 1');
  });

  it('are applied without a scrape once 10,000 are waiting (bounded memory)', async () => {
    const registry = new Registry();
    const deferred = createDeferredUpdates();
    const counter = new Counter({ name: 'n_total', help: 'n', registers: [registry] });
    for (let index = 0; index < 10_000; index++) deferred.inc(counter);
    expect((await counter.get()).values[0]?.value).toBe(10_000);
  });

  it('serve the request metrics: /metrics text shows requests, latency and tokens recorded just before', async () => {
    const metrics = createMetrics();
    metrics.requestFinished('/v1/chat/completions', 'POST', 200, 0.002, 'deepseek-r1:7b');
    metrics.tokens('deepseek-r1:7b', 'completion', 12);
    metrics.cacheLookup('hit');
    const { body } = await metrics.render();
    expect(body).toContain('api_requests_total{route="/v1/chat/completions",model="deepseek-r1:7b"} 1');
    expect(body).toContain('proxy_http_request_duration_seconds_count{route="/v1/chat/completions"} 1');
    expect(body).toContain('proxy_tokens_total{model="deepseek-r1:7b",kind="completion"} 12');
    expect(body).toContain('proxy_cache_lookups_total{result="hit"} 1');
  });
});

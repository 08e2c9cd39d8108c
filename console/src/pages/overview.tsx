import { Chart } from '../chart.js';
import { formatNumber } from '../format.js';
import type { MetricsFeed } from '../metrics-feed.js';

function Stat({ label, value, id }: { label: string; value: string; id: string }) {
  return (
    <div class="stat">
      <dt id={`${id}-label`}>{label}</dt>
      <dd aria-labelledby={`${id}-label`} data-stat={id}>
        {value}
      </dd>
    </div>
  );
}

export function OverviewPage({ feed }: { feed: MetricsFeed }) {
  const { latest, points } = feed;
  const last = feed.lastMinute;
  const times = points.map((p) => p.t);
  const pct = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${formatNumber(value)} %`);
  return (
    <section aria-labelledby="page-title" data-points={points.length}>
      <h1 id="page-title">Overview</h1>
      <p class="hint">
        Live from the proxy's own metrics, polled every 2 seconds. The figures cover the last minute; the charts show each
        interval over up to the last hour this tab has been open.
      </p>
      {feed.error ? <p role="alert">Metrics unavailable: {feed.error}</p> : null}
      <dl class="stats">
        <Stat id="rps" label="Requests/s" value={formatNumber(last?.requestsPerSecond, 2)} />
        <Stat id="p50" label="Latency p50" value={last?.p50 == null ? '—' : `${formatNumber(last.p50)} ms`} />
        <Stat id="p99" label="Latency p99" value={last?.p99 == null ? '—' : `${formatNumber(last.p99)} ms`} />
        <Stat id="tps" label="Tokens/s" value={formatNumber(last?.tokensPerSecond, 1)} />
        <Stat id="error-rate" label="Error rate" value={pct(last?.errorRate)} />
        <Stat id="cache-hit-rate" label="Cache hit rate" value={pct(last?.cacheHitRate)} />
        <Stat id="open-streams" label="Open streams" value={formatNumber(latest?.active_streams)} />
        <Stat id="requests-total" label="Requests since start" value={formatNumber(latest?.requests)} />
        <Stat id="tokens-total" label="Tokens since start" value={formatNumber(latest ? latest.tokens.prompt + latest.tokens.completion : undefined)} />
      </dl>
      <div class="charts">
        <Chart title="Requests per second" unit="req/s" times={times} series={[{ label: 'requests/s', values: points.map((p) => p.requestsPerSecond), stroke: '#1f6feb' }]} />
        <Chart
          title="Latency"
          unit="ms"
          times={times}
          series={[
            { label: 'p50', values: points.map((p) => p.p50), stroke: '#1a7f37' },
            { label: 'p99', values: points.map((p) => p.p99), stroke: '#bf3989' },
          ]}
        />
        <Chart title="Tokens per second" unit="tok/s" times={times} series={[{ label: 'tokens/s', values: points.map((p) => p.tokensPerSecond), stroke: '#8250df' }]} />
        <Chart
          title="Errors and cache hits"
          unit="%"
          times={times}
          series={[
            { label: 'error rate', values: points.map((p) => p.errorRate), stroke: '#cf222e' },
            { label: 'cache hit rate', values: points.map((p) => p.cacheHitRate), stroke: '#9a6700' },
          ]}
        />
        <Chart title="Open streams" unit="streams" times={times} series={[{ label: 'open streams', values: points.map((p) => p.openStreams), stroke: '#0969da' }]} />
      </div>
    </section>
  );
}

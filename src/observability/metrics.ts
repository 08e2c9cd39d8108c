import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createDeferredUpdates, type Incrementable, type Observable } from './deferred-updates.js';

// One place for metric names. Label values stay bounded: route templates, status codes, model names we serve.
// `api_requests_total` / `api_errors_total` match the deployment guide's alert rule (docker/prometheus-rules.yaml).
//
// The `model` label of request counters holds only models known to exist: a model earns its label with its
// first successful (status < 400) request; until then, and for every name that never succeeds, it is
// "unknown". Requests that name no model get "none". So clients sending random names cannot grow the series.

export interface Metrics {
  registry: Registry;
  /** `model`: the model the request named, if any (see the label rule above). */
  requestFinished(route: string, method: string, status: number, seconds: number, model?: string): void;
  timeToFirstToken(model: string, seconds: number): void;
  /** `cached`: the part of the prompt tokens read from a cache (already counted under `prompt`). */
  tokens(model: string, kind: 'prompt' | 'completion' | 'cached', count: number): void;
  cacheLookup(result: 'hit' | 'miss' | 'bypass' | 'error'): void;
  rateLimited(kind: string): void;
  upstreamError(code: string): void;
  activeStreams: Gauge;
  /** The Prometheus text exposition of the registry (GET /metrics). */
  render(): Promise<{ contentType: string; body: string }>;
  /** Counters other features register themselves, under the same registry. */
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
}


/** At most this many distinct model label values; later models count as "other". */
const MAX_MODEL_LABELS = 200;

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function createMetrics(registry: Registry = new Registry()): Metrics {
  // The per-request metrics below are updated through `deferred`; reading the registry applies them first.
  const deferred = createDeferredUpdates();
  const collect = () => deferred.flush();
  // Same label set on both, so rate(api_errors_total) / rate(api_requests_total) matches series one to one.
  const apiRequests = new Counter({ name: 'api_requests_total', help: 'API requests by route and model', labelNames: ['route', 'model'], registers: [registry], collect });
  const apiErrors = new Counter({ name: 'api_errors_total', help: 'API requests that failed on the server side (status >= 500), by route and model', labelNames: ['route', 'model'], registers: [registry], collect });
  const requests = new Counter({ name: 'proxy_http_requests_total', help: 'HTTP requests by route, method, status and model', labelNames: ['route', 'method', 'status', 'model'], registers: [registry], collect });
  const duration = new Histogram({ name: 'proxy_http_request_duration_seconds', help: 'Request latency by route', labelNames: ['route'], buckets: LATENCY_BUCKETS, registers: [registry], collect });
  const ttft = new Histogram({ name: 'proxy_time_to_first_token_seconds', help: 'Time to the first streamed token', labelNames: ['model'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const tokens = new Counter({ name: 'proxy_tokens_total', help: 'Tokens by model and direction', labelNames: ['model', 'kind'], registers: [registry], collect });
  const cache = new Counter({ name: 'proxy_cache_lookups_total', help: 'Response cache lookups by result', labelNames: ['result'], registers: [registry], collect });
  const limited = new Counter({ name: 'proxy_rate_limited_total', help: 'Requests refused by rate limits, by kind', labelNames: ['kind'], registers: [registry] });
  const upstream = new Counter({ name: 'proxy_upstream_errors_total', help: 'Upstream (Ollama) errors by code', labelNames: ['code'], registers: [registry] });
  const activeStreams = new Gauge({ name: 'proxy_active_streams', help: 'Streams in flight', registers: [registry] });

  // Label lookups cost a string join per call; cache the bound children by key.
  const requestChildren = new Map<string, { counters: Incrementable[]; seconds: Observable }>();
  const tokenChild = boundChildren((model, kind) => tokens.labels(model!, kind!));
  const cacheChild = boundChildren((result) => cache.labels(result!));
  const knownModels = new Set<string>();
  const modelLabel = (model: string | undefined, status: number): string => {
    if (model === undefined || model === '') return 'none';
    if (knownModels.has(model)) return model;
    if (status >= 400) return 'unknown';
    if (knownModels.size >= MAX_MODEL_LABELS) return 'other';
    knownModels.add(model);
    return model;
  };
  return {
    registry,
    requestFinished(route, method, status, seconds, model) {
      const label = modelLabel(model, status);
      const key = `${route}\u0000${method}\u0000${status}\u0000${label}`;
      let child = requestChildren.get(key);
      if (!child) {
        const statusText = String(status);
        const counters = [requests.labels(route, method, statusText, label), apiRequests.labels(route, label)];
        if (status >= 500) counters.push(apiErrors.labels(route, label));
        child = { counters, seconds: duration.labels(route) };
        requestChildren.set(key, child);
      }
      for (const counter of child.counters) deferred.inc(counter);
      deferred.observe(child.seconds, seconds);
    },
    timeToFirstToken: (model, seconds) => ttft.labels(model).observe(seconds),
    tokens: (model, kind, count) => {
      if (count > 0) deferred.inc(tokenChild(model, kind), count);
    },
    cacheLookup: (result) => deferred.inc(cacheChild(result)),
    rateLimited: (kind) => limited.labels(kind).inc(),
    upstreamError: (code) => upstream.labels(code).inc(),
    activeStreams,
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
    counter(name, help, labelNames = []) {
      const existing = registry.getSingleMetric(name);
      if (existing) return existing as Counter;
      return new Counter({ name, help, labelNames: [...labelNames], registers: [registry] });
    },
  };
}

/** A metric's bound children by label values, made on first use (labels() validates and hashes on every call). */
function boundChildren(make: (...labels: string[]) => Incrementable): (...labels: string[]) => Incrementable {
  const children = new Map<string, Incrementable>();
  return (...labels) => {
    const key = labels.join('\u0000');
    let child = children.get(key);
    if (!child) children.set(key, (child = make(...labels)));
    return child;
  };
}

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

// Prometheus series per Ollama host, read from the fleet's own counters when scraped (nothing per request).

export interface HostCounters {
  name: string;
  state: string;
  in_flight: number;
  requests: number;
  errors: number;
  failovers: number;
  queued_requests?: number;
}

export function registerHostMetrics(registry: Registry, hosts: () => readonly HostCounters[]): void {
  if (registry.getSingleMetric('ollama_host_requests_total') !== undefined) return;
  const counter = (name: string, help: string, read: (host: HostCounters) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['host'],
      registers: [registry],
      collect() {
        this.reset();
        for (const host of hosts()) this.inc({ host: host.name }, read(host));
      },
    });
  counter('ollama_host_requests_total', 'Requests sent to each Ollama host', (host) => host.requests);
  counter('ollama_host_errors_total', 'Failed requests and refreshes per Ollama host', (host) => host.errors);
  counter('ollama_host_failovers_total', 'Requests moved from this Ollama host to another before the first byte', (host) => host.failovers);
  new Gauge({
    name: 'ollama_host_in_flight',
    help: 'Requests in flight per Ollama host',
    labelNames: ['host'],
    registers: [registry],
    collect() {
      this.reset();
      for (const host of hosts()) this.set({ host: host.name }, host.in_flight);
    },
  });
  new Gauge({
    name: 'ollama_host_queued_requests',
    help: 'Requests waiting in the admission queue for a model this Ollama host may serve',
    labelNames: ['host'],
    registers: [registry],
    collect() {
      this.reset();
      for (const host of hosts()) this.set({ host: host.name }, host.queued_requests ?? 0);
    },
  });
  new Gauge({
    name: 'ollama_host_up',
    help: '1 when the Ollama host answered its last refresh or request',
    labelNames: ['host'],
    registers: [registry],
    collect() {
      this.reset();
      for (const host of hosts()) this.set({ host: host.name }, host.state === 'up' ? 1 : 0);
    },
  });
}

/** Requests per upstream /api/embed call (embeddings micro-batching), by model: how much batching saves. */
export function registerEmbedBatchMetrics(registry: Registry): (model: string, requests: number, inputs: number) => void {
  const existing = registry.getSingleMetric('ollama_embed_batch_requests') as Histogram<'model'> | undefined;
  const requests =
    existing ??
    new Histogram({
      name: 'ollama_embed_batch_requests',
      help: 'Client requests coalesced into one upstream embeddings call, by model',
      labelNames: ['model'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    });
  return (model, count) => requests.observe({ model }, count);
}

// One Ollama host as the fleet sees it: its settings, what it last said about itself (/api/tags, /api/ps) and
// what the proxy observed (failures, in-flight requests, latency). Plain mutable records: the router reads
// them on every request, so they hold Sets and numbers, nothing to rebuild per call.

export interface FleetHostSettings {
  url: string;
  /** Shown in /api/v1/hosts and metrics; defaults to the URL's host:port. */
  name?: string;
  /** Requests this host runs at once (its OLLAMA_NUM_PARALLEL); the router compares in-flight counts to it. */
  maxParallel?: number;
  /** Among otherwise equal hosts, the heavier one is preferred. */
  weight?: number;
  /** Pinned model list: used instead of the host's /api/tags. */
  models?: string[];
}

export type HostState = 'unknown' | 'up' | 'down';

export interface FleetHost {
  readonly url: string;
  readonly name: string;
  readonly maxParallel: number;
  readonly weight: number;
  readonly pinned: boolean;
  /** Installed models (normalised names); undefined until the first successful /api/tags. */
  models: Set<string> | undefined;
  /** Models in memory per the last /api/ps. */
  loaded: Set<string>;
  state: HostState;
  consecutiveFailures: number;
  /** Until then the host is tried only when no healthy host has the model. */
  downUntil: number;
  inFlight: number;
  /** Exponentially weighted time to the first byte, ms; 0 until measured. */
  latencyMs: number;
  lastError: string | undefined;
  lastRefreshAt: number | undefined;
  /** Since start: requests sent, requests or refreshes that failed, requests moved on to another host. */
  requests: number;
  errors: number;
  failovers: number;
}

/** Ollama treats `name` and `name:latest` as one model. */
export function modelKey(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

export function createFleetHost(settings: FleetHostSettings): FleetHost {
  const url = settings.url.replace(/\/+$/, '');
  let name = settings.name;
  if (name === undefined) {
    try {
      name = new URL(url).host;
    } catch {
      name = url;
    }
  }
  return {
    url,
    name,
    maxParallel: Math.max(1, settings.maxParallel ?? 1),
    weight: settings.weight ?? 1,
    pinned: settings.models !== undefined,
    models: settings.models === undefined ? undefined : new Set(settings.models.map(modelKey)),
    loaded: new Set(),
    state: 'unknown',
    consecutiveFailures: 0,
    downUntil: 0,
    inFlight: 0,
    latencyMs: 0,
    lastError: undefined,
    lastRefreshAt: undefined,
    requests: 0,
    errors: 0,
    failovers: 0,
  };
}

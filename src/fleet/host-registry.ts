import { UpstreamBusyError } from '../core/errors.js';
import type { HostPool } from '../ollama/host-pool.js';
import { createFleetHost, modelKey, type FleetHost, type FleetHostSettings } from './fleet-host.js';
import { rankHosts } from './rank-hosts.js';

// The fleet: every configured Ollama host with what it serves and how it is doing, refreshed in the
// background from /api/tags and /api/ps, and the HostPool the Ollama transport and the native passthrough
// ask for hosts. One host is the fast path: a constant candidate list, no ranking.

/** GET a JSON document from one host (`url` + `path`); throws on a network failure or a non-2xx answer. */
export type ReadHostJson = (url: string, path: string, signal: AbortSignal) => Promise<unknown>;

export interface FleetOptions {
  hosts: readonly FleetHostSettings[];
  read: ReadHostJson;
  /** Background refresh period; 0 = only on demand (after a miss) and at start. */
  refreshMs: number;
  /** How long a failed host is tried last. */
  cooldownMs: number;
  /** Time limit of one refresh request. */
  refreshTimeoutMs?: number;
  /** Conversations remembered for stickiness (oldest forgotten first). */
  maxSessions?: number;
  /** Requests per model that may wait while every host with the model is at maxParallel; 0 = no queue. */
  queueSize?: number;
  /** Longest wait in that queue before a 503. */
  queueWaitMs?: number;
  now?: () => number;
  onRefreshError?: (host: FleetHost, error: unknown) => void;
}

/** One host in GET /api/v1/hosts (snake_case, as the rest of the admin API). */
export interface HostView {
  url: string;
  name: string;
  state: 'unknown' | 'up' | 'down';
  /** Installed models; null until the host first answered /api/tags. */
  models: string[] | null;
  model_count: number | null;
  models_pinned: boolean;
  loaded_models: string[];
  in_flight: number;
  max_parallel: number;
  weight: number;
  /** Smoothed time to the first byte. */
  latency_ms: number | null;
  consecutive_failures: number;
  last_error: string | null;
  last_refresh_at: string | null;
  requests: number;
  errors: number;
  failovers: number;
  /** Requests waiting (admission queue) for a model this host may serve. */
  queued_requests?: number;
}

export interface Fleet extends HostPool {
  readonly hosts: readonly FleetHost[];
  urls(): readonly string[];
  /** Reads /api/tags and /api/ps of every host now. */
  refresh(): Promise<void>;
  /** Starts the background refresh (first round immediately). */
  start(): void;
  /** Requests waiting for a free host for the model. */
  queued(model: string): number;
  /** At least one host answered its last refresh or request. */
  isReady(): boolean;
  view(): HostView[];
  close(): void;
}

export function createFleet(options: FleetOptions): Fleet {
  if (options.hosts.length === 0) throw new Error('at least one Ollama URL is required');
  const now = options.now ?? Date.now;
  const hosts = options.hosts.map(createFleetHost);
  const byUrl = new Map(hosts.map((host) => [host.url, host]));
  const single: readonly string[] = hosts.length === 1 ? [hosts[0]!.url] : [];
  const sessions = new Map<string, string>();
  const maxSessions = options.maxSessions ?? 10_000;
  const refreshing = new Map<FleetHost, Promise<void>>();
  const timeoutMs = options.refreshTimeoutMs ?? 5_000;
  let turn = 0;
  let timer: NodeJS.Timeout | undefined;
  const queueSize = options.queueSize ?? 0;
  const queueWaitMs = options.queueWaitMs ?? 30_000;
  const queues = new Map<string, Waiter[]>();

  /**
   * Some host that may serve the model has a free slot (or no host is known to have it: routing answers then).
   * While the model is loaded somewhere, only those hosts count: a request waits for a warm slot rather than
   * cold-load the model elsewhere, until the queue for it is as deep as those hosts' slots (then it spreads).
   */
  const hasRoom = (key: string): boolean => {
    const at = now();
    let eligible = false;
    let anyRoom = false;
    let warmSlots = 0;
    let warmRoom = false;
    for (const host of hosts) {
      if (host.downUntil > at || (host.models !== undefined && !host.models.has(key))) continue;
      eligible = true;
      const room = host.inFlight < host.maxParallel;
      if (room) anyRoom = true;
      if (host.loaded.has(key)) {
        warmSlots += host.maxParallel;
        if (room) warmRoom = true;
      }
    }
    if (!eligible) return true;
    if (warmSlots === 0 || warmRoom) return anyRoom;
    return anyRoom && (queues.get(key)?.length ?? 0) >= warmSlots;
  };
  const wake = () => {
    for (const [key, queue] of queues) {
      if (!hasRoom(key)) continue;
      const waiter = queue.shift();
      if (queue.length === 0) queues.delete(key);
      waiter?.admit();
    }
  };

  const markDown = (host: FleetHost, reason: string | undefined) => {
    host.consecutiveFailures++;
    host.errors++;
    host.downUntil = now() + options.cooldownMs;
    host.state = 'down';
    if (reason !== undefined) host.lastError = reason;
  };
  const markUp = (host: FleetHost) => {
    host.consecutiveFailures = 0;
    host.downUntil = 0;
    host.state = 'up';
  };

  const refreshHost = (host: FleetHost): Promise<void> => {
    const running = refreshing.get(host);
    if (running) return running;
    const run = (async () => {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const [tags, ps] = await Promise.all([
          host.pinned ? undefined : options.read(host.url, '/api/tags', signal),
          options.read(host.url, '/api/ps', signal),
        ]);
        if (!host.pinned) host.models = new Set(modelNames(tags));
        host.loaded = new Set(modelNames(ps));
        host.lastRefreshAt = now();
        markUp(host);
      } catch (error) {
        markDown(host, errorText(error));
        options.onRefreshError?.(host, error);
      } finally {
        refreshing.delete(host);
      }
    })();
    refreshing.set(host, run);
    return run;
  };
  const refresh = async () => {
    await Promise.all(hosts.map(refreshHost));
  };

  const fleet: Fleet = {
    hosts,
    candidates(model, sessionId) {
      if (hosts.length === 1) return single;
      turn = (turn + 1) % hosts.length;
      const stickyUrl = sessionId === undefined ? undefined : sessions.get(sessionId);
      const key = model === undefined ? undefined : modelKey(model);
      const ranked = rankHosts({ hosts, model: key, stickyUrl, now: now(), turn });
      // The first choice is about to load the model (Ollama loads once and queues the rest): requests arriving
      // meanwhile follow it there instead of cold-loading it on another host. The next refresh corrects the guess.
      const first = ranked[0]!;
      if (key !== undefined && first.models?.has(key) === true && !first.loaded.has(key)) first.loaded.add(key);
      const urls = new Array<string>(ranked.length);
      for (let index = 0; index < ranked.length; index++) urls[index] = ranked[index]!.url;
      return urls;
    },
    markDown(url, reason) {
      const host = byUrl.get(url);
      if (host) markDown(host, reason);
    },
    markUp(url) {
      const host = byUrl.get(url);
      if (host && host.state !== 'up') markUp(host);
    },
    begin(url) {
      const host = byUrl.get(url);
      if (host) {
        host.inFlight++;
        host.requests++;
      }
    },
    end(url, firstByteMs) {
      const host = byUrl.get(url);
      if (!host) return;
      host.inFlight = Math.max(0, host.inFlight - 1);
      if (firstByteMs !== undefined) host.latencyMs = host.latencyMs === 0 ? firstByteMs : host.latencyMs * 0.8 + firstByteMs * 0.2;
      if (queues.size > 0) wake();
    },
    admit(model, signal) {
      if (queueSize === 0 || model === undefined) return undefined;
      const key = modelKey(model);
      const queue = queues.get(key);
      if (queue === undefined && hasRoom(key)) return undefined;
      if (queue !== undefined && queue.length >= queueSize) {
        throw new UpstreamBusyError(`Every Ollama host with ${model} is busy and ${queueSize} requests are already waiting for it; retry shortly.`, retryAfterSeconds(queueWaitMs));
      }
      return new Promise<void>((resolve, reject) => {
        const waiters = queue ?? [];
        if (queue === undefined) queues.set(key, waiters);
        const leave = () => {
          clearTimeout(timeout);
          signal.removeEventListener('abort', onAbort);
          const index = waiters.indexOf(waiter);
          if (index >= 0) waiters.splice(index, 1);
          if (waiters.length === 0 && queues.get(key) === waiters) queues.delete(key);
        };
        const onAbort = () => {
          leave();
          reject(signal.reason);
        };
        const timeout = setTimeout(() => {
          leave();
          reject(new UpstreamBusyError(`Every Ollama host with ${model} stayed busy for ${queueWaitMs} ms; retry shortly.`, retryAfterSeconds(queueWaitMs)));
        }, queueWaitMs);
        const waiter: Waiter = {
          admit() {
            leave();
            resolve();
          },
        };
        waiters.push(waiter);
        signal.addEventListener('abort', onAbort, { once: true });
        // The queue just got as deep as the warm slots: its oldest request may now go to a cold host with room.
        if (hasRoom(key)) waiters[0]!.admit();
      });
    },
    queued: (model) => queues.get(modelKey(model))?.length ?? 0,
    failed(url, reason) {
      const host = byUrl.get(url);
      if (!host) return;
      host.lastError = reason;
      host.errors++;
    },
    failedOver(url) {
      const host = byUrl.get(url);
      if (host) host.failovers++;
    },
    answered(url, model) {
      // Ollama keeps a model in memory after answering with it: loaded-first holds before the next refresh.
      const host = byUrl.get(url);
      if (host === undefined || hosts.length === 1) return;
      const key = modelKey(model);
      if (!host.loaded.has(key)) host.loaded.add(key);
    },
    missed(url, model) {
      const host = byUrl.get(url);
      if (!host) return;
      if (!host.pinned) host.models?.delete(modelKey(model));
      void refreshHost(host);
      // Another host may have pulled it since the last round.
      for (const other of hosts) if (other !== host && !other.pinned) void refreshHost(other);
    },
    served(sessionId, url) {
      if (hosts.length === 1 || sessions.get(sessionId) === url) return;
      sessions.delete(sessionId);
      sessions.set(sessionId, url);
      if (sessions.size > maxSessions) sessions.delete(sessions.keys().next().value!);
    },
    urls: () => hosts.map((host) => host.url),
    refresh,
    start() {
      void refresh();
      if (options.refreshMs > 0 && timer === undefined) {
        timer = setInterval(() => void refresh(), options.refreshMs);
        timer.unref();
      }
    },
    isReady: () => hosts.some((host) => host.state === 'up'),
    view: () =>
      hosts.map((host) => {
        let queued = 0;
        for (const [key, waiters] of queues) if (host.models === undefined || host.models.has(key)) queued += waiters.length;
        return { ...viewOf(host), queued_requests: queued };
      }),
    close() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
  if (hosts.length === 1) {
    // Fast path: with one host nothing is chosen, so requests are not counted in and out (no per-call hooks).
    // A fresh object without them rather than `delete`, which would leave a slow dictionary-mode object.
    const { begin, end, admit, answered, served, ...plain } = fleet;
    void [begin, end, admit, answered, served];
    return plain;
  }
  return fleet;
}

interface Waiter {
  admit(): void;
}

function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}

function viewOf(host: FleetHost): HostView {
  return {
    url: host.url,
    name: host.name,
    state: host.state,
    models: host.models === undefined ? null : [...host.models].sort(),
    model_count: host.models === undefined ? null : host.models.size,
    models_pinned: host.pinned,
    loaded_models: [...host.loaded].sort(),
    in_flight: host.inFlight,
    max_parallel: host.maxParallel,
    weight: host.weight,
    latency_ms: host.latencyMs === 0 ? null : Math.round(host.latencyMs),
    consecutive_failures: host.consecutiveFailures,
    last_error: host.lastError ?? null,
    last_refresh_at: host.lastRefreshAt === undefined ? null : new Date(host.lastRefreshAt).toISOString(),
    requests: host.requests,
    errors: host.errors,
    failovers: host.failovers,
  };
}

/** `{"models":[{"name"|"model": …}]}` from /api/tags or /api/ps → normalised names. */
function modelNames(body: unknown): string[] {
  const models = (body as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) throw new Error('the answer has no models list');
  const names: string[] = [];
  for (const entry of models) {
    const name = (entry as { name?: unknown; model?: unknown } | null)?.name ?? (entry as { model?: unknown } | null)?.model;
    if (typeof name === 'string') names.push(modelKey(name));
  }
  return names;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code ?? ((error.cause as NodeJS.ErrnoException | undefined)?.code);
    return code === undefined ? error.message : `${code}: ${error.message}`;
  }
  return String(error);
}

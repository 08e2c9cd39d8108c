import type { Request, Response } from 'express';

export interface HealthCheck {
  name: string;
  /** Resolves with details when healthy; rejects (or resolves ok:false) when not. */
  check(signal: AbortSignal): Promise<{ ok: boolean; details?: Record<string, unknown> }>;
  /** A failing critical check makes the instance not ready. */
  critical: boolean;
  /** The features (READY_REQUIRES names) that cannot work while this check fails; reported in `degraded`. */
  features?: readonly string[];
}

/** A dependency that answers a ping (stores): ok when it resolves. */
export function pingCheck(name: string, ping: (signal: AbortSignal) => Promise<unknown>, critical = true): HealthCheck {
  return {
    name,
    critical,
    async check(signal) {
      await ping(signal);
      return { ok: true };
    },
  };
}

/** Several hosts behind one name (Ollama): ready while at least one answers; each host is reported. */
export function hostsCheck(name: string, probe: (signal: AbortSignal) => Promise<{ ok: boolean }[]>, critical = true): HealthCheck {
  return {
    name,
    critical,
    async check(signal) {
      const hosts = await probe(signal);
      return { ok: hosts.some((host) => host.ok), details: { hosts } };
    },
  };
}

export interface Pingable {
  ping(signal?: AbortSignal): Promise<void>;
}

export interface ReadinessDeps {
  ollama: { probe(signal: AbortSignal): Promise<{ ok: boolean }[]> };
  /** Each store with the features that need it, e.g. sessionStore → ['sessions']. */
  stores: Record<string, { store: Pingable; features: readonly string[] }>;
  /** READY_REQUIRES: a failing check is critical when it backs one of these features. */
  requires: readonly string[];
}

/** The checks behind /health/ready: Ollama (any host) and every store, critical as the operator configured. */
export function readinessChecks(deps: ReadinessDeps): HealthCheck[] {
  const isCritical = (features: readonly string[]) => features.some((feature) => deps.requires.includes(feature));
  const storeChecks = Object.entries(deps.stores).map(([name, { store, features }]) => ({
    ...pingCheck(name, (signal) => store.ping(signal), isCritical(features)),
    features,
  }));
  return [{ ...hostsCheck('ollama', (signal) => deps.ollama.probe(signal), isCritical(['ollama'])), features: ['ollama'] }, ...storeChecks];
}

export interface HealthDeps {
  checks: HealthCheck[];
  timeoutMs: number;
  isShuttingDown: () => boolean;
  version: string;
}

async function runCheck(check: HealthCheck, timeoutMs: number) {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const result = await check.check(signal);
    return { name: check.name, critical: check.critical, ...features(check), ok: result.ok, ...result.details };
  } catch (error) {
    return { name: check.name, critical: check.critical, ...features(check), ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

const features = (check: HealthCheck) => (check.features ? { features: check.features } : {});

/** Features whose dependency failed, each once, in check order. */
function degradedFeatures(results: { ok: boolean; features?: readonly string[] }[]): string[] {
  return [...new Set(results.filter((result) => !result.ok).flatMap((result) => result.features ?? []))];
}

/**
 * GET /health: liveness (200 while the process serves) with readiness details in the body.
 * GET /health/ready: 200 when every critical dependency answers (READY_REQUIRES), else 503, for load balancers.
 * Both name the `degraded` features: what this instance cannot serve right now.
 */
export type HealthRoutes = ReturnType<typeof healthRoutes>;

export function healthRoutes(deps: HealthDeps) {
  const report = async () => {
    const results = await Promise.all(deps.checks.map((check) => runCheck(check, deps.timeoutMs)));
    const ready = !deps.isShuttingDown() && results.every((result) => result.ok || !result.critical);
    const checks = Object.fromEntries(results.map(({ name, ...rest }) => [name, rest]));
    const degraded = degradedFeatures(results);
    const status = ready && results.every((result) => result.ok) ? 'ok' : 'degraded';
    return { ready, body: { status, ready, degraded, shuttingDown: deps.isShuttingDown(), version: deps.version, checks } };
  };
  return {
    async live(_req: Request, res: Response): Promise<void> {
      res.status(200).json((await report()).body);
    },
    async ready(_req: Request, res: Response): Promise<void> {
      const { ready, body } = await report();
      res.status(ready ? 200 : 503).json(body);
    },
  };
}

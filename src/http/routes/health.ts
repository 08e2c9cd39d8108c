import type { Request, Response } from 'express';

export interface HealthCheck {
  name: string;
  /** Resolves with details when healthy; rejects (or resolves ok:false) when not. */
  check(signal: AbortSignal): Promise<{ ok: boolean; details?: Record<string, unknown> }>;
  /** A failing critical check makes the instance not ready. */
  critical: boolean;
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
  /** Stores the proxy cannot serve without. */
  stores: Record<string, Pingable>;
  /** Stores it can do without (reported, but not failing readiness), e.g. a fail-open rate-limit store. */
  optionalStores?: Record<string, Pingable>;
}

/** The checks behind /health/ready: Ollama (any host) and every store. */
export function readinessChecks(deps: ReadinessDeps): HealthCheck[] {
  const storeChecks = (stores: Record<string, Pingable>, critical: boolean) =>
    Object.entries(stores).map(([name, store]) => pingCheck(name, (signal) => store.ping(signal), critical));
  return [
    hostsCheck('ollama', (signal) => deps.ollama.probe(signal)),
    ...storeChecks(deps.stores, true),
    ...storeChecks(deps.optionalStores ?? {}, false),
  ];
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
    return { name: check.name, critical: check.critical, ok: result.ok, ...result.details };
  } catch (error) {
    return { name: check.name, critical: check.critical, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * GET /health: liveness (200 while the process serves) with readiness details in the body.
 * GET /health/ready: 200 when every critical dependency answers, else 503, for load balancers.
 */
export function healthRoutes(deps: HealthDeps) {
  const report = async () => {
    const results = await Promise.all(deps.checks.map((check) => runCheck(check, deps.timeoutMs)));
    const ready = !deps.isShuttingDown() && results.every((result) => result.ok || !result.critical);
    const checks = Object.fromEntries(results.map(({ name, ...rest }) => [name, rest]));
    return { ready, body: { status: ready ? 'ok' : 'degraded', ready, shuttingDown: deps.isShuttingDown(), version: deps.version, checks } };
  };
  return {
    async live(_req: Request, res: Response): Promise<void> {
      res.locals.route = '/health';
      res.status(200).json((await report()).body);
    },
    async ready(_req: Request, res: Response): Promise<void> {
      res.locals.route = '/health/ready';
      const { ready, body } = await report();
      res.status(ready ? 200 : 503).json(body);
    },
  };
}

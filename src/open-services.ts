import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { AppDeps } from './app.js';
import type { Config } from './config/config-schema.js';
import type { Logger } from './core/logger.js';
import { createAccessControl, type AccessControl } from './create-access-control.js';
import { createFinetuneService, type FinetuneService } from './finetune/finetune-service.js';
import { readinessChecks, type Pingable } from './http/routes/health.js';
import { createModelAdmin } from './model-admin/model-admin.js';
import { createOllamaBackend, type OllamaBackend } from './ollama/ollama-backend.js';
import { openFleet } from './fleet/open-fleet.js';
import { createEmbedBatcher } from './fleet/embed-batcher.js';
import { registerEmbedBatchMetrics, registerHostMetrics } from './observability/host-metrics.js';
import { createLogger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { createLogRedactor } from './plugins/built-in-plugins.js';
import { loadPlugins } from './plugins/load-plugins.js';
import type { PluginRegistry } from './plugins/plugin-registry.js';
import { createKvStore, type KvStoreSpec } from './stores/create-kv-store.js';
import type { KvStore } from './stores/kv-store.js';
import { createTrafficStores, type TrafficStores } from './stores/create-traffic-stores.js';

// The composition root's second half: everything the app needs, built from config in one place so the server
// (main.ts) and the tests (test/helpers/test-app.ts) never wire it differently.

export interface OpenServicesOptions {
  /** Where log lines go (tests read them); stdout when absent. */
  logStream?: NodeJS.WritableStream;
  /** Metrics registry; main.ts passes one with the default process metrics. */
  registry?: Registry;
  /** The access layer's clock (tests move it). */
  now?: () => Date;
  /** Environment handed to the fine-tune adapter command. */
  trainerEnv?: Record<string, string | undefined>;
  /** Replace a store or the plugin set (tests). */
  finetuneStore?: KvStore;
  sessionStore?: KvStore;
  plugins?: PluginRegistry;
}

export interface Services {
  logger: ReturnType<typeof createLogger>;
  access: AccessControl;
  finetune: FinetuneService;
  /** Everything createApp needs but the process-level hooks (isShuttingDown, version). */
  appDeps: AppDeps;
  /** The Ollama client itself (the start-up report asks each host about itself). */
  ollama: OllamaBackend;
  /** Values the logger masks from now on (secrets re-read on SIGHUP). */
  redactSecrets(values: readonly string[]): void;
  close(): Promise<void>;
}

export async function openServices(config: Config, options: OpenServicesOptions = {}): Promise<Services> {
  const secrets = [config.auth.masterKey, config.auth.jwtSecret, config.memory.encryptionKey].filter((value): value is string => Boolean(value));
  const redact = createLogRedactor(config.plugins);
  const logger = createLogger({
    level: config.log.level,
    format: config.log.format,
    secrets: () => secrets,
    ...(options.logStream ? { stream: options.logStream } : {}),
    ...(redact ? { redact } : {}),
  });
  const access = await createAccessControl(config, { logger, ...(options.now ? { now: options.now } : {}) });
  secrets.push(...access.secrets);
  const plugins = options.plugins ?? (await loadPlugins(config.plugins, { logger }));
  const metrics = createMetrics(options.registry ?? new Registry());
  const fleet = openFleet(config.ollama, (host, error) => logger.warn('ollama host refresh failed', { host: host.name, url: host.url, error: String(error) }));
  if (fleet.hosts.length > 1) registerHostMetrics(metrics.registry, () => fleet.view());
  const backend = createOllamaBackend({
    pool: fleet,
    connectTimeoutMs: config.ollama.connectTimeoutMs,
    headersTimeoutMs: config.ollama.headersTimeoutMs,
    bodyTimeoutMs: config.ollama.bodyTimeoutMs,
    contextOverflow: config.models.contextOverflow,
    serverNumCtx: config.models.serverContextLength,
  });
  if (config.ollama.embedBatchWindowMs > 0) {
    const onBatch = registerEmbedBatchMetrics(metrics.registry);
    backend.embed = createEmbedBatcher(backend.embed.bind(backend), { maxInputs: config.ollama.embedBatchMaxInputs, windowMs: config.ollama.embedBatchWindowMs, onBatch });
  }
  // Fine-tune jobs persist in DATA_DIR/finetune.db; the adapter trainer works in DATA_DIR/finetune/.
  const finetuneStore = options.finetuneStore ?? (await createKvStore({ kind: 'sqlite', path: join(config.dataDir, 'finetune.db') }));
  const finetune = await createFinetuneService({
    runtime: backend,
    store: finetuneStore,
    trainingData: { maxBytes: config.finetune.maxTrainingBytes, ...(config.finetune.dataDir ? { allowedDir: config.finetune.dataDir } : {}) },
    adapter: {
      command: config.finetune.adapterCommand,
      timeoutMs: config.finetune.adapterTimeoutMs,
      workDir: join(config.dataDir, 'finetune'),
      env: options.trainerEnv ?? {},
    },
    logger,
  });
  const traffic = createTrafficStores({
    redisUrl: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    cacheMaxBytes: config.cache.maxBytes,
    onRedisChange: (state, error) => {
      if (state === 'up') return logger.info('redis available again');
      logger.warn(`redis unavailable: the cache misses and rate limits fail ${config.rateLimit.failMode}`, { error: error?.message });
    },
  });
  const sessionStore =
    options.sessionStore ?? (await createKvStore(sessionStoreSpec(config, (error) => logger.warn('session store connection error', { error: error.message }))));
  const appDeps: AppDeps = {
    config,
    backend,
    logger,
    metrics,
    authenticator: access.authenticate,
    access,
    healthChecks: readinessChecks({ ollama: backend, ...readinessStores(config, traffic, { sessionStore, finetuneStore, keyStore: access }) }),
    operations: { models: createModelAdmin(backend, { serverNumCtx: config.models.serverContextLength }), finetune, logLevel: logger },
    traffic,
    plugins,
    sessionStore,
    hosts: fleet,
  };
  // Jobs first (they record why they stopped in the store), then the stores, plugins and the upstream pool.
  const closers: Array<[string, () => Promise<unknown>]> = [
    ['finetune jobs', () => finetune.jobs.close()],
    ...(options.finetuneStore ? [] : [['finetune store', () => finetuneStore.close()] as [string, () => Promise<unknown>]]),
    ...(options.sessionStore ? [] : [['session store', () => sessionStore.close()] as [string, () => Promise<unknown>]]),
    ['traffic stores', () => traffic.close()],
    ['plugins', () => plugins.close()],
    ['access control', () => access.close()],
    ['ollama client', () => backend.close()],
    ['ollama fleet', async () => fleet.close()],
  ];
  return {
    logger,
    access,
    finetune,
    appDeps,
    ollama: backend,
    redactSecrets: (values) => secrets.push(...values.filter((value) => !secrets.includes(value))),
    async close() {
      for (const [what, close] of closers) await closeQuietly(logger, what, close);
    },
  };
}

/** MEMORY_STORE, else Redis when REDIS_URL is set, else memory; 'sqlite' keeps sessions in DATA_DIR across restarts. */
export function sessionStoreSpec(config: Config, onError?: (error: Error) => void): KvStoreSpec {
  const kind = config.memory.store ?? (config.redisUrl ? 'redis' : 'memory');
  if (kind === 'redis' && config.redisUrl) return { kind, url: config.redisUrl, ...(onError ? { onError } : {}) };
  if (kind === 'sqlite') return { kind, path: join(config.dataDir, 'sessions.sqlite') };
  return { kind: 'memory', maxEntries: config.memory.maxSessions };
}

/**
 * Which feature needs which store, and which features gate readiness (READY_REQUIRES). With
 * RATE_LIMIT_FAIL_MODE=closed the proxy refuses every request while the shared store is away, so rate_limits
 * is required then too.
 */
export function readinessStores(config: Config, traffic: TrafficStores, stores: { sessionStore: Pingable; finetuneStore: Pingable; keyStore: Pingable }) {
  const requires: string[] = [...config.server.readyRequires];
  if (config.rateLimit.failMode === 'closed' && config.rateLimit.enabled) requires.push('rate_limits');
  return {
    requires,
    stores: {
      keyStore: { store: stores.keyStore, features: ['keys'] },
      sessionStore: { store: stores.sessionStore, features: ['sessions'] },
      finetuneStore: { store: stores.finetuneStore, features: ['finetune'] },
      trafficStore: { store: traffic.cacheTiers.at(-1)!, features: ['cache', 'rate_limits'] },
    },
  };
}

async function closeQuietly(logger: Logger, what: string, close: () => Promise<unknown>): Promise<void> {
  try {
    await close();
  } catch (error) {
    logger.error(`closing ${what} failed`, { error: error instanceof Error ? error.message : String(error) });
  }
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Registry } from 'prom-client';
import { createApp, sessionStoreSpec, readinessStores, type AppDeps } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/config-schema.js';
import { createFinetuneService, type FinetuneService } from '../../src/finetune/finetune-service.js';
import { createMasterKeyAuthenticator } from '../../src/http/middleware/authenticate.js';
import { readinessChecks } from '../../src/http/routes/health.js';
import { createModelAdmin } from '../../src/model-admin/model-admin.js';
import { createOllamaBackend } from '../../src/ollama/ollama-backend.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import type { KvStore } from '../../src/stores/kv-store.js';
import { createMemoryKvStore } from '../../src/stores/memory-kv-store.js';
import { createTrafficStores } from '../../src/stores/create-traffic-stores.js';
import { createLogRedactor } from '../../src/plugins/built-in-plugins.js';
import { loadPlugins } from '../../src/plugins/load-plugins.js';
import { createKvStore } from '../../src/stores/create-kv-store.js';

export interface TestAppOptions {
  ollamaUrl: string;
  /** Extra environment variables, as a user would set them. */
  env?: Record<string, string>;
  /** Structured settings, as CONFIG_FILE would hold them. */
  file?: Record<string, unknown>;
  overrides?: Partial<AppDeps>;
  /** Where fine-tune jobs persist (default: a fresh memory store, closed with the app). */
  finetuneStore?: KvStore;
}

export interface TestApp {
  url: string;
  config: Config;
  metrics: Metrics;
  finetune: FinetuneService;
  /** Every log line written so far (JSON strings). */
  logs: string[];
  server: Server;
  close(): Promise<void>;
}

/** Builds the real app (real pipeline, real Ollama backend pointed at the fake) on an ephemeral port. */
export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const env: Record<string, string> = { OLLAMA_URL: options.ollamaUrl, LOG_LEVEL: 'info', ...options.env };
  if (options.file) env.CONFIG_FILE = 'test-config.json';
  const config = loadConfig(env, options.file ? { readFile: () => JSON.stringify(options.file) } : {});
  const logs: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const redact = createLogRedactor(config.plugins);
  const logger = createLogger({ level: config.log.level, format: 'json', stream, secrets: () => [config.auth.masterKey ?? ''], ...(redact ? { redact } : {}) });
  const plugins = options.overrides?.plugins ?? (await loadPlugins(config.plugins, { logger }));
  const metrics = createMetrics(new Registry());
  const backend = createOllamaBackend({
    urls: [...config.ollama.urls],
    connectTimeoutMs: config.ollama.connectTimeoutMs,
    headersTimeoutMs: config.ollama.headersTimeoutMs,
    bodyTimeoutMs: config.ollama.bodyTimeoutMs,
  });
  const finetuneStore = options.finetuneStore ?? createMemoryKvStore();
  const finetune = await createFinetuneService({
    runtime: backend,
    store: finetuneStore,
    trainingData: { maxBytes: config.finetune.maxTrainingBytes, ...(config.finetune.dataDir ? { allowedDir: config.finetune.dataDir } : {}) },
    adapter: { command: config.finetune.adapterCommand, timeoutMs: config.finetune.adapterTimeoutMs, workDir: join(config.dataDir, 'finetune'), env: process.env },
    logger,
  });
  const traffic = createTrafficStores({
    redisUrl: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    cacheMaxBytes: config.cache.maxBytes,
    onRedisChange: (state, error) => (state === 'up' ? logger.info('redis available again') : logger.warn('redis unavailable', { error: error?.message })),
  });
  // The session store is chosen from config as main.ts does (MEMORY_STORE, REDIS_URL, DATA_DIR), unless injected.
  const ownSessionStore = options.overrides?.sessionStore ? undefined : await createKvStore(sessionStoreSpec(config));
  const sessionStore = options.overrides?.sessionStore ?? ownSessionStore;
  const app = createApp({
    config,
    backend,
    logger,
    metrics,
    authenticator: createMasterKeyAuthenticator(config.auth.masterKey),
    operations: { models: createModelAdmin(backend), finetune, logLevel: logger },
    healthChecks: readinessChecks({ ollama: backend, ...readinessStores(config, traffic, { ...(sessionStore ? { sessionStore } : {}), finetuneStore }) }),
    traffic,
    plugins,
    ...(ownSessionStore ? { sessionStore: ownSessionStore } : {}),
    ...options.overrides,
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    metrics,
    finetune,
    logs,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await finetune.jobs.close();
      if (!options.finetuneStore) await finetuneStore.close();
      await backend.close();
      await traffic.close();
      await plugins.close();
      await ownSessionStore?.close();
    },
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Registry } from 'prom-client';
import { describeBootstrappedKey } from '../../src/access/bootstrap-admin-key.js';
import { createApp, sessionStoreSpec, type AppDeps } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/config-schema.js';
import { createAccessControl, type AccessControl } from '../../src/create-access-control.js';
import { createOllamaBackend } from '../../src/ollama/ollama-backend.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { createTrafficStores } from '../../src/stores/create-traffic-stores.js';
import { createLogRedactor } from '../../src/plugins/built-in-plugins.js';
import { loadPlugins } from '../../src/plugins/load-plugins.js';
import { createKvStore } from '../../src/stores/create-kv-store.js';

export interface TestAppOptions {
  ollamaUrl: string;
  /**
   * Extra environment variables, as a user would set them. Without MASTER_KEY or AUTH_DISABLED the app runs
   * open (AUTH_DISABLED=true) as tests did before access control; pass AUTH_DISABLED: 'false' to get the
   * real first start (an admin key is bootstrapped, see `bootstrapNotice`). DATA_DIR defaults to a fresh
   * temporary directory, removed on close.
   */
  env?: Record<string, string>;
  /** Structured settings, as CONFIG_FILE would hold them. */
  file?: Record<string, unknown>;
  overrides?: Partial<AppDeps>;
  /** The access layer's clock (key expiry, rotation grace, token lifetimes, the auth cache). */
  now?: () => Date;
}

export interface TestApp {
  url: string;
  config: Config;
  metrics: Metrics;
  /** Every log line written so far (JSON strings). */
  logs: string[];
  /** What main.ts prints to the terminal once when it bootstraps an admin key (never logged). */
  bootstrapNotice: string | undefined;
  access: AccessControl;
  server: Server;
  close(): Promise<void>;
}

/** Builds the real app (real pipeline, real Ollama backend pointed at the fake) on an ephemeral port. */
export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const temporaryDir = options.env?.DATA_DIR === undefined ? mkdtempSync(join(tmpdir(), 'test-app-')) : undefined;
  const env: Record<string, string> = { OLLAMA_URL: options.ollamaUrl, LOG_LEVEL: 'info', ...options.env };
  if (temporaryDir !== undefined) env.DATA_DIR = temporaryDir;
  if (env.MASTER_KEY === undefined && env.AUTH_DISABLED === undefined) env.AUTH_DISABLED = 'true';
  if (options.file) env.CONFIG_FILE = 'test-config.json';
  const config = loadConfig(env, options.file ? { readFile: () => JSON.stringify(options.file) } : {});
  const logs: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const secrets = [config.auth.masterKey ?? ''];
  const redact = createLogRedactor(config.plugins);
  const logger = createLogger({ level: config.log.level, format: 'json', stream, secrets: () => secrets, ...(redact ? { redact } : {}) });
  const access = await createAccessControl(config, { logger, ...(options.now ? { now: options.now } : {}) });
  secrets.push(...access.secrets);
  const plugins = options.overrides?.plugins ?? (await loadPlugins(config.plugins, { logger }));
  const metrics = createMetrics(new Registry());
  const backend = createOllamaBackend({
    urls: [...config.ollama.urls],
    connectTimeoutMs: config.ollama.connectTimeoutMs,
    headersTimeoutMs: config.ollama.headersTimeoutMs,
    bodyTimeoutMs: config.ollama.bodyTimeoutMs,
  });
  const traffic = createTrafficStores({
    redisUrl: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    cacheMaxBytes: config.cache.maxBytes,
    onRedisChange: (state, error) => (state === 'up' ? logger.info('redis available again') : logger.warn('redis unavailable', { error: error?.message })),
  });
  // The session store is chosen from config as main.ts does (MEMORY_STORE, REDIS_URL, DATA_DIR), unless injected.
  const ownSessionStore = options.overrides?.sessionStore ? undefined : await createKvStore(sessionStoreSpec(config));
  const app = createApp({
    config,
    backend,
    logger,
    metrics,
    authenticator: access.authenticate,
    access,
    traffic,
    plugins,
    ...(ownSessionStore ? { sessionStore: ownSessionStore } : {}),
    ...options.overrides,
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    config,
    metrics,
    logs,
    bootstrapNotice: access.bootstrapped ? describeBootstrappedKey(access.bootstrapped, url) : undefined,
    access,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await backend.close();
      await traffic.close();
      await plugins.close();
      await ownSessionStore?.close();
      await access.close();
      if (temporaryDir !== undefined) rmSync(temporaryDir, { recursive: true, force: true });
    },
  };
}

import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp, sessionStoreSpec, readinessStores } from './app.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import type { Config } from './config/config-schema.js';
import type { Logger } from './core/logger.js';
import type { ModelRuntime } from './core/model-runtime.js';
import { createFinetuneService } from './finetune/finetune-service.js';
import { createMasterKeyAuthenticator } from './http/middleware/authenticate.js';
import { readinessChecks } from './http/routes/health.js';
import { createModelAdmin } from './model-admin/model-admin.js';
import { createOllamaBackend } from './ollama/ollama-backend.js';
import { createLogger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { createTrafficStores } from './stores/create-traffic-stores.js';
import { createLogRedactor } from './plugins/built-in-plugins.js';
import { loadPlugins } from './plugins/load-plugins.js';
import { createKvStore } from './stores/create-kv-store.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const secrets = [config.auth.masterKey, config.auth.jwtSecret, config.memory.encryptionKey].filter((value): value is string => Boolean(value));
  const redact = startupStep(() => createLogRedactor(config.plugins));
  const logger = createLogger({ level: config.log.level, format: config.log.format, secrets: () => secrets, ...(redact ? { redact } : {}) });
  const plugins = await startupStep(() => loadPlugins(config.plugins, { logger }));
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createMetrics(registry);
  const backend = createOllamaBackend({
    urls: [...config.ollama.urls],
    connectTimeoutMs: config.ollama.connectTimeoutMs,
    headersTimeoutMs: config.ollama.headersTimeoutMs,
    bodyTimeoutMs: config.ollama.bodyTimeoutMs,
  });
  const { finetuneStore, finetune } = await openFinetune(config, backend, logger);
  const traffic = createTrafficStores({
    redisUrl: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    cacheMaxBytes: config.cache.maxBytes,
    onRedisChange: (state, error) => {
      if (state === 'up') return logger.info('redis available again');
      logger.warn('redis unavailable: the cache misses and rate limits fail ' + config.rateLimit.failMode, { error: error?.message });
    },
  });
  const sessionStore = await createKvStore(sessionStoreSpec(config, (error) => logger.warn('session store connection error', { error: error.message })));
  let shuttingDown = false;
  const app = createApp({
    config,
    backend,
    logger,
    metrics,
    authenticator: createMasterKeyAuthenticator(config.auth.masterKey),
    healthChecks: readinessChecks({ ollama: backend, ...readinessStores(config, traffic, { sessionStore, finetuneStore }) }),
    operations: { models: createModelAdmin(backend), finetune, logLevel: logger },
    isShuttingDown: () => shuttingDown,
    version: VERSION,
    traffic,
    plugins,
    sessionStore,
  });
  const server = createServer(app);
  // Streams can be quiet for minutes while a model loads; the SSE heartbeat keeps them alive, not a socket timeout.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const shutdown = async (signal: string) => {
    if (shuttingDown) {
      logger.warn('second signal: exiting without waiting', { signal });
      process.exit(1);
    }
    shuttingDown = true;
    logger.info('shutting down', { signal, graceMs: config.server.shutdownGraceMs });
    await closeServer(server, config.server.shutdownGraceMs);
    // Jobs first (they record why they stopped in the store), then the stores, plugins and the upstream pool.
    await closeQuietly(logger, 'finetune jobs', () => finetune.jobs.close());
    await closeQuietly(logger, 'finetune store', () => finetuneStore.close());
    await closeQuietly(logger, 'session store', () => sessionStore.close());
    await closeQuietly(logger, 'traffic stores', () => traffic.close());
    await closeQuietly(logger, 'plugins', () => plugins.close());
    await closeQuietly(logger, 'ollama client', () => backend.close());
    logger.info('stopped');
    // Exit by running out of work, so buffered log lines reach stdout; a handle someone forgot cannot hold us.
    process.exitCode = 0;
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // Only now: whoever waits for this line (an orchestrator, a test) may signal at once.
  logger.info('listening', { url: `http://${config.server.host}:${port}`, ollama: config.ollama.urls, version: VERSION });
}

/** Plugin set-up problems (a bad module path, an invalid pattern) are configuration errors: say what, exit 1. */
function startupStep<T>(step: () => T): T {
  const fail = (error: unknown): never => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  };
  try {
    const value = step();
    return (value instanceof Promise ? value.catch(fail) : value) as T;
  } catch (error) {
    return fail(error);
  }
}

/** Stops accepting, lets in-flight requests and streams finish within the grace period, then cuts the rest. */
async function closeServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A request that still arrives on an open keep-alive connection is served, and its connection then closes.
  server.on('request', (_req, res) => {
    res.shouldKeepAlive = false;
  });
  server.closeIdleConnections();
  const idleSweep = setInterval(() => server.closeIdleConnections(), 250);
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearInterval(idleSweep);
  clearTimeout(timer);
}

/** Fine-tune jobs persist in DATA_DIR/finetune.db; the adapter trainer works in DATA_DIR/finetune/. */
async function openFinetune(config: Config, runtime: ModelRuntime, logger: Logger) {
  const finetuneStore = await createKvStore({ kind: 'sqlite', path: join(config.dataDir, 'finetune.db') });
  const finetune = await createFinetuneService({
    runtime,
    store: finetuneStore,
    trainingData: { maxBytes: config.finetune.maxTrainingBytes, ...(config.finetune.dataDir ? { allowedDir: config.finetune.dataDir } : {}) },
    adapter: {
      command: config.finetune.adapterCommand,
      timeoutMs: config.finetune.adapterTimeoutMs,
      workDir: join(config.dataDir, 'finetune'),
      env: withoutSecrets(process.env),
    },
    logger,
  });
  return { finetuneStore, finetune };
}

async function closeQuietly(logger: Logger, what: string, close: () => Promise<unknown>): Promise<void> {
  try {
    await close();
  } catch (error) {
    logger.error(`closing ${what} failed`, { error: error instanceof Error ? error.message : String(error) });
  }
}

/** The adapter trainer's command gets the server's environment without the proxy's own secrets. */
const SECRET_VARIABLES = ['MASTER_KEY', 'JWT_SECRET', 'DATABASE_URL', 'REDIS_URL', 'ENCRYPTION_KEY', 'METRICS_TOKEN'];
function withoutSecrets(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !SECRET_VARIABLES.includes(name)));
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

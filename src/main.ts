import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp, sessionStoreSpec } from './app.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import type { Config } from './config/config-schema.js';
import { describeBootstrappedKey } from './access/bootstrap-admin-key.js';
import { createAccessControl } from './create-access-control.js';
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
  const access = await createAccessControl(config, { logger });
  secrets.push(...access.secrets);
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
    authenticator: access.authenticate,
    access,
    healthChecks: [
      {
        name: 'ollama',
        critical: true,
        async check(signal) {
          const hosts = await backend.probe(signal);
          return { ok: hosts.some((host) => host.ok), details: { hosts } };
        },
      },
    ],
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
  const url = `http://${config.server.host}:${port}`;
  logger.info('listening', { url, ollama: config.ollama.urls, version: VERSION });
  // Straight to the terminal, once: the logger would (rightly) redact it, and log files must never hold it.
  if (access.bootstrapped) process.stdout.write(`\n${describeBootstrappedKey(access.bootstrapped, url)}\n\n`);

  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down', { signal, graceMs: config.server.shutdownGraceMs });
    await closeServer(server, config.server.shutdownGraceMs);
    await backend.close();
    await traffic.close();
    await plugins.close();
    await sessionStore.close();
    await access.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
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
  server.closeIdleConnections();
  const idleSweep = setInterval(() => server.closeIdleConnections(), 250);
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearInterval(idleSweep);
  clearTimeout(timer);
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

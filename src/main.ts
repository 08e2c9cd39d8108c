import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { describeBootstrappedKey } from './access/bootstrap-admin-key.js';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import type { Config } from './config/config-schema.js';
import { openServices } from './open-services.js';

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
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const services = await startupStep(() => openServices(config, { registry, trainerEnv: withoutSecrets(process.env) }));
  const { logger, access } = services;
  let shuttingDown = false;
  const consoleDir = fileURLToPath(new URL('./console/', import.meta.url));
  const app = createApp({ ...services.appDeps, isShuttingDown: () => shuttingDown, version: VERSION, consoleDir });
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
  const shutdown = async (signal: string) => {
    if (shuttingDown) {
      logger.warn('second signal: exiting without waiting', { signal });
      process.exit(1);
    }
    shuttingDown = true;
    // The listener is closed before the line is written: whoever reads 'shutting down' sees new connections refused.
    const closing = closeServer(server, config.server.shutdownGraceMs);
    logger.info('shutting down', { signal, graceMs: config.server.shutdownGraceMs });
    await closing;
    await services.close();
    logger.info('stopped');
    // Exit by running out of work, so buffered log lines reach stdout; a handle someone forgot cannot hold us.
    process.exitCode = 0;
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // Only now: whoever waits for this line (an orchestrator, a test) may signal at once.
  logger.info('listening', { url, ollama: config.ollama.urls, version: VERSION });
  // Straight to the terminal, once: the logger would (rightly) redact it, and log files must never hold it.
  // The log lines go first, so the notice follows the 'listening' line as it always has.
  logger.flush();
  if (access.bootstrapped) process.stdout.write(`\n${describeBootstrappedKey(access.bootstrapped, url)}\n\n`);
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

/** The adapter trainer's command gets the server's environment without the proxy's own secrets. */
const SECRET_VARIABLES = ['MASTER_KEY', 'JWT_SECRET', 'DATABASE_URL', 'REDIS_URL', 'ENCRYPTION_KEY', 'METRICS_TOKEN'];
function withoutSecrets(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !SECRET_VARIABLES.includes(name)));
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

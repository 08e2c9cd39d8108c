import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { describeBootstrappedKey, describeBootstrappedKeyLocation } from './access/bootstrap-admin-key.js';
import { createApp } from './app.js';
import { createOpenStreams, type OpenStreams } from './http/open-streams.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { createHttpServer } from './create-http-server.js';
import { loadSecrets, SecretsError, type LoadedSecrets } from './load-secrets.js';
import { startSecretsLifecycle } from './secrets-lifecycle.js';
import { liveSecretsApplier } from './apply-live-secrets.js';
import type { Config } from './config/config-schema.js';
import { openServices } from './open-services.js';
import { logOllamaReport } from './startup/log-ollama-report.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function readConfig(env: Record<string, string | undefined>): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** <NAME>_FILE and Vault, before the configuration is parsed; what is missing is named and the process exits 1. */
async function readSecrets(): Promise<LoadedSecrets> {
  try {
    return await loadSecrets(process.env);
  } catch (error) {
    if (!(error instanceof SecretsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const secrets = await readSecrets();
  const config = readConfig(secrets.env);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const services = await startupStep(() => openServices(config, { registry, trainerEnv: withoutSecrets(process.env) }));
  const { logger, access } = services;
  const secretsLifecycle = startSecretsLifecycle(process.env, secrets, logger, liveSecretsApplier({ access, redact: services.redactSecrets }));
  let shuttingDown = false;
  const openStreams = createOpenStreams();
  const consoleDir = fileURLToPath(new URL('./console/', import.meta.url));
  const app = createApp({ ...services.appDeps, isShuttingDown: () => shuttingDown, version: VERSION, openStreams, consoleDir });
  const { server, scheme, reloadTls, stopWatching } = startupStep(() => createHttpServer(app, config.tls, { logger }));
  // Streams can be quiet for minutes while a model loads; the SSE heartbeat keeps them alive, not a socket timeout.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `${scheme}://${config.server.host}:${port}`;
  const shutdown = async (signal: string) => {
    if (shuttingDown) {
      logger.warn('second signal: exiting without waiting', { signal });
      process.exit(1);
    }
    shuttingDown = true;
    stopWatching();
    secretsLifecycle.stop();
    // The listener is closed before the line is written: whoever reads 'shutting down' sees new connections refused.
    const closing = closeServer(server, config.server.shutdownGraceMs, openStreams);
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
  process.on('SIGHUP', () => {
    if (scheme === 'https') reloadTls();
    void secretsLifecycle.reload();
  });
  // Only now: whoever waits for this line (an orchestrator, a test) may signal at once.
  logger.info('listening', { url, ollama: config.ollama.hosts?.map((host) => host.url) ?? config.ollama.urls, version: VERSION });
  // Straight to the terminal, once: the logger would (rightly) redact it, and log files must never hold it.
  // A pipe or file is a log stream too, so there only the file's path is logged.
  // The log lines go first, so the notice follows the 'listening' line as it always has.
  if (access.bootstrapped && process.stdout.isTTY !== true) {
    const { message, ...where } = describeBootstrappedKeyLocation(access.bootstrapped);
    logger.warn(message, where);
  }
  logger.flush();
  if (access.bootstrapped && process.stdout.isTTY === true) process.stdout.write(`\n${describeBootstrappedKey(access.bootstrapped, url)}\n\n`);
  void logOllamaReport(services.ollama, config.models.aliases, logger).catch((error: unknown) =>
    logger.warn('could not report on Ollama', { error: error instanceof Error ? error.message : String(error) }),
  );
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

/**
 * Stops accepting, lets in-flight requests and streams finish within the grace period, then ends the streams
 * still open with their protocol's `server_shutting_down` frame and cuts what remains.
 */
async function closeServer(server: Server, graceMs: number, openStreams: OpenStreams): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A request that still arrives on an open keep-alive connection is served, and its connection then closes.
  server.on('request', (_req, res) => {
    res.shouldKeepAlive = false;
  });
  server.closeIdleConnections();
  const idleSweep = setInterval(() => server.closeIdleConnections(), 250);
  const timer = setTimeout(() => void openStreams.interruptAll().then(() => server.closeAllConnections()), graceMs);
  await closed;
  clearInterval(idleSweep);
  clearTimeout(timer);
}

/** The adapter trainer's command gets the server's environment without the proxy's own secrets. */
const SECRET_VARIABLES = ['MASTER_KEY', 'JWT_SECRET', 'DATABASE_URL', 'REDIS_URL', 'ENCRYPTION_KEY', 'METRICS_TOKEN', 'VAULT_TOKEN', 'VAULT_SECRET_ID'];
function withoutSecrets(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !SECRET_VARIABLES.includes(name)));
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

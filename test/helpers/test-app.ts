import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { answerClientErrors } from '../../src/create-http-server.js';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describeBootstrappedKey } from '../../src/access/bootstrap-admin-key.js';
import { createApp, type AppDeps } from '../../src/app.js';
import type { Config } from '../../src/config/config-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { AccessControl } from '../../src/create-access-control.js';
import type { FinetuneService } from '../../src/finetune/finetune-service.js';
import type { Metrics } from '../../src/observability/metrics.js';
import { openServices } from '../../src/open-services.js';
import type { KvStore } from '../../src/stores/kv-store.js';
import { createMemoryKvStore } from '../../src/stores/memory-kv-store.js';

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
  /** Where fine-tune jobs persist (default: a fresh memory store). */
  finetuneStore?: KvStore;
  /** The access layer's clock (key expiry, rotation grace, token lifetimes, the auth cache). */
  now?: () => Date;
}

export interface TestApp {
  url: string;
  config: Config;
  metrics: Metrics;
  finetune: FinetuneService;
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
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const { overrides } = options;
  const services = await openServices(config, {
    logStream,
    trainerEnv: process.env,
    finetuneStore: options.finetuneStore ?? createMemoryKvStore(),
    ...(options.now ? { now: options.now } : {}),
    ...(overrides?.sessionStore ? { sessionStore: overrides.sessionStore } : {}),
    ...(overrides?.plugins ? { plugins: overrides.plugins } : {}),
  });
  const deps = { ...services.appDeps, ...overrides };
  const app = createApp(deps);
  const server = createServer(app);
  answerClientErrors(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const { access } = services;
  return {
    url,
    config,
    metrics: deps.metrics,
    finetune: services.finetune,
    logs,
    bootstrapNotice: access.bootstrapped ? describeBootstrappedKey(access.bootstrapped, url) : undefined,
    access,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
      if (temporaryDir !== undefined) rmSync(temporaryDir, { recursive: true, force: true });
    },
  };
}

import { join } from 'node:path';
import express, { type Express } from 'express';
import { decodeEncryptionKey, type Config } from './config/config-schema.js';
import type { ChatBackend } from './core/chat-backend.js';
import { composeBackend } from './core/chat-middleware.js';
import type { Logger } from './core/logger.js';
import type { Scope } from './core/principal.js';
import { authenticate, requireScope, type Authenticator } from './http/middleware/authenticate.js';
import { cors } from './http/middleware/cors.js';
import { errorHandler, notFound } from './http/middleware/error-handler.js';
import { requestContext } from './http/middleware/request-context.js';
import { chatCompletionsRoute } from './http/routes/chat-completions.js';
import { completionsRoute } from './http/routes/completions.js';
import { contextRoutes } from './http/routes/context.js';
import { embeddingsRoute } from './http/routes/embeddings.js';
import { healthRoutes, type HealthCheck } from './http/routes/health.js';
import { metricsRoute } from './http/routes/metrics.js';
import { modelsRoutes } from './http/routes/models.js';
import { operationsRouter, type OperationsDeps } from './http/routes/operations-router.js';
import { simpleChatRoute } from './http/routes/simple-chat.js';
import type { StreamingDeps } from './http/routes/streaming-response.js';
import { writeSse } from './http/sse.js';
import type { Metrics } from './observability/metrics.js';
import { findModelDefaults, modelResolution } from './pipeline/model-resolution.js';
import { sessionMemory } from './pipeline/session-memory.js';
import { createSessions } from './pipeline/session-memory/create-sessions.js';
import type { KvStoreSpec } from './stores/create-kv-store.js';
import type { KvStore } from './stores/kv-store.js';
import { createMemoryKvStore } from './stores/memory-kv-store.js';
import { emptyPluginRegistry, type PluginRegistry } from './plugins/plugin-registry.js';
import { pluginsMiddleware } from './plugins/run-plugins.js';

export interface AppDeps {
  config: Config;
  /** The upstream backend (Ollama); the pipeline stages are composed around it here. */
  backend: ChatBackend;
  logger: Logger;
  metrics: Metrics;
  authenticator: Authenticator;
  healthChecks?: HealthCheck[];
  /** The operations API under /api/v1 (scope admin): model management, fine-tune jobs, runtime log level. */
  operations?: OperationsDeps;
  isShuttingDown?: () => boolean;
  version?: string;
  /** Loaded at start-up by loadPlugins(); none when omitted. */
  plugins?: PluginRegistry;
  /** Where X-Session-Id conversations live (open it from sessionStoreSpec); default a bounded in-memory store. */
  sessionStore?: KvStore;
}

/** Plugins see the resolved model name; per-model plugin lists come from models.defaults. */
function pluginStage(config: Config, registry: PluginRegistry) {
  registry.assertKnown(Object.values(config.models.defaults).flatMap((entry) => entry.plugins), 'models.defaults');
  return pluginsMiddleware({
    registry,
    maxToolRounds: config.plugins.maxToolRounds,
    perKey: config.plugins.perKey,
    forModel: (model) => findModelDefaults(model, config.models.defaults)?.plugins ?? [],
  });
}

/** MEMORY_STORE, else Redis when REDIS_URL is set, else memory; 'sqlite' keeps sessions in DATA_DIR across restarts. */
export function sessionStoreSpec(config: Config, onError?: (error: Error) => void): KvStoreSpec {
  const kind = config.memory.store ?? (config.redisUrl ? 'redis' : 'memory');
  if (kind === 'redis' && config.redisUrl) return { kind, url: config.redisUrl, ...(onError ? { onError } : {}) };
  if (kind === 'sqlite') return { kind, path: join(config.dataDir, 'sessions.sqlite') };
  return { kind: 'memory', maxEntries: config.memory.maxSessions };
}

/** Express wiring only (no listen): tests and main.ts both build the app through here. */
export function createApp(deps: AppDeps): Express {
  const { config, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  // ETags would hash every JSON body; API clients never send If-None-Match.
  app.set('etag', false);
  app.set('trust proxy', config.server.trustProxy);

  const { memory } = config;
  const sessions = createSessions({
    kv: deps.sessionStore ?? createMemoryKvStore({ maxEntries: memory.maxSessions }),
    encryptionKey: memory.encryptionKey === undefined ? undefined : decodeEncryptionKey(memory.encryptionKey),
    ttlMs: memory.ttlSeconds * 1000,
    defaults: { strategy: memory.strategy, memorySize: memory.memorySize, windowSize: memory.windowSize },
  });
  const backend = composeBackend(
    deps.backend,
    modelResolution({ aliases: config.models.aliases, defaults: config.models.defaults, listCacheMs: config.models.listCacheMs }),
    // Outermost feature stage: it expands the prompt before plugins and the cache see it (DESIGN.md 2.6).
    sessionMemory({ registry: sessions, ...(memory.summarizerModel ? { summarizerModel: memory.summarizerModel } : {}) }),
    pluginStage(config, deps.plugins ?? emptyPluginRegistry()),
  );
  // Headers must be out before the first ping is due; until then errors keep their real status code.
  const holdHeadersMs = Math.min(2_000, config.server.heartbeatMs);
  const sse: StreamingDeps['writeSse'] = (res, items, options) =>
    writeSse(res, items, { ...options, heartbeatMs: config.server.heartbeatMs, holdHeadersMs });
  const streaming = { backend, metrics, writeSse: sse };

  app.use(requestContext({ logger: deps.logger, metrics }));
  app.use(cors);

  const health = healthRoutes({
    checks: deps.healthChecks ?? [],
    timeoutMs: 2_000,
    isShuttingDown: deps.isShuttingDown ?? (() => false),
    version: deps.version ?? '0.0.0',
  });
  app.get('/health', health.live);
  app.get('/health/ready', health.ready);
  if (config.metrics.enabled) app.get('/metrics', metricsRoute({ metrics, token: config.metrics.token }));

  const json = express.json({ limit: config.server.bodyLimit });
  const auth = authenticate(deps.authenticator);
  const guarded = (scope: Scope) => [auth, requireScope(scope), json] as const;

  const models = modelsRoutes(backend);
  app.get('/v1/models', ...guarded('models:read'), models.list);
  app.get('/v1/models/*id', ...guarded('models:read'), models.get);
  app.post('/v1/chat/completions', ...guarded('chat'), chatCompletionsRoute(streaming));
  app.post(['/v1/completions', '/beta/completions', '/v1/beta/completions'], ...guarded('completions'), completionsRoute(streaming));
  app.post('/v1/embeddings', ...guarded('embeddings'), embeddingsRoute({ backend, metrics }));
  // Sessions are a chat feature. These /api/v1 routes must stay ahead of any /api/* Ollama pass-through.
  const context = contextRoutes(sessions);
  app.put('/api/v1/context/:session_id', ...guarded('chat'), context.put);
  app.get('/api/v1/context/:session_id', ...guarded('chat'), context.get);
  app.delete('/api/v1/context/:session_id', ...guarded('chat'), context.delete);
  app.post('/api/v1/chat', ...guarded('chat'), simpleChatRoute({ ...streaming, defaultModel: config.models.defaultModel }));
  if (deps.operations) app.use(operationsRouter({ ...deps.operations, guard: guarded('admin'), writeSse: sse }));

  app.use(notFound);
  app.use(errorHandler({ metrics }));
  return app;
}

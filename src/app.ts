import type { RequestListener } from 'node:http';
import express from 'express';
import { assertModelAllowed } from './access/model-access.js';
import { decodeEncryptionKey, type Config } from './config/config-schema.js';
import type { ChatBackend } from './core/chat-backend.js';
import type { Logger } from './core/logger.js';
import type { Principal, Scope } from './core/principal.js';
import type { AccessControl } from './create-access-control.js';
import { clientAddressReader } from './http/client-address.js';
import type { Handler } from './http/http-types.js';
import { authenticate, requireScope, type Authenticator } from './http/middleware/authenticate.js';
import { cacheControl } from './http/middleware/cache-control.js';
import { cors } from './http/middleware/cors.js';
import { errorHandler, notFound } from './http/middleware/error-handler.js';
import { jsonBody } from './http/middleware/json-body.js';
import { labelFromRoute, methodNotAllowed } from './http/middleware/route-label.js';
import { requestContext } from './http/middleware/request-context.js';
import { createRequestListener, type HotRoute } from './http/request-listener.js';
import { chatCompletionsRoute } from './http/routes/chat-completions.js';
import { completionsRoute } from './http/routes/completions.js';
import { contextRoutes } from './http/routes/context.js';
import { embeddingsRoute } from './http/routes/embeddings.js';
import { adminApiRouter } from './http/routes/admin-api.js';
import { adminHostsRoute, type HostsView } from './http/routes/admin-hosts.js';
import { adminMetricsRoute, CONSOLE_ROUTES } from './http/routes/admin-metrics.js';
import { adminSessionsRoutes } from './http/routes/admin-sessions.js';
import { consoleRoute } from './http/routes/console.js';
import { anthropicErrors, anthropicErrorsForAnthropicClients, countTokensRoute, messagesRoute } from './http/routes/anthropic-messages.js';
import { healthRoutes, type HealthCheck } from './http/routes/health.js';
import { metricsRoute } from './http/routes/metrics.js';
import { modelsRoutes } from './http/routes/models.js';
import { operationsRouter, type OperationsDeps } from './http/routes/operations-router.js';
import { ollamaPassthrough } from './http/routes/ollama-passthrough.js';
import type { PassthroughHosts } from './http/routes/passthrough-targets.js';
import { limitsRoutes } from './http/rate-limit/limits-routes.js';
import { createRateLimits, type RateLimits } from './http/rate-limit/rate-limits.js';
import { responsesRoute } from './http/routes/responses.js';
import { storedResponsesRoutes } from './http/routes/responses-stored.js';
import { simpleChatRoute } from './http/routes/simple-chat.js';
import type { StreamingDeps } from './http/routes/streaming-response.js';
import type { OpenStreams } from './http/open-streams.js';
import { writeSse, writeSseFrom } from './http/sse.js';
import type { Metrics } from './observability/metrics.js';
import { summarizeMetrics } from './observability/metrics-summary.js';
import { createChatPipeline } from './pipeline/create-chat-pipeline.js';
import { createConversationStore } from './pipeline/conversation-store/create-conversation-store.js';
import { createSessions } from './pipeline/session-memory/create-sessions.js';
import { createSessionAdmin } from './pipeline/session-memory/session-admin.js';
import { createSessionIndex } from './pipeline/session-memory/session-index.js';
import { createTrafficStores, type TrafficStores } from './stores/create-traffic-stores.js';
import type { KvStore } from './stores/kv-store.js';
import type { PluginRegistry } from './plugins/plugin-registry.js';
import { createMemoryKvStore } from './stores/memory-kv-store.js';

export interface AppDeps {
  config: Config;
  /** The upstream backend (Ollama); the pipeline stages are composed around it here. */
  backend: ChatBackend;
  logger: Logger;
  metrics: Metrics;
  authenticator: Authenticator;
  /** Key and token services, audit and usage recording (see create-access-control.ts); mounts the admin API. */
  access?: Pick<AccessControl, 'keys' | 'tokens' | 'recorder' | 'queryAudit' | 'invalidate'>;
  healthChecks?: HealthCheck[];
  /** The operations API under /api/v1 (scope admin): model management, fine-tune jobs, runtime log level. */
  operations?: OperationsDeps;
  /** Stores behind rate limits and the response cache (the caller closes them); built from config when absent. */
  traffic?: TrafficStores;
  isShuttingDown?: () => boolean;
  version?: string;
  /** Loaded at start-up by loadPlugins(); none when omitted. */
  plugins?: PluginRegistry;
  /** Where X-Session-Id conversations live (open-services.ts opens it from config); default a bounded in-memory store. */
  sessionStore?: KvStore;
  /** Streams main.ts ends with a `server_shutting_down` frame when the shutdown grace runs out. */
  openStreams?: OpenStreams;
  /** The built operator console (dist/console), served at /console; not served when absent. */
  consoleDir?: string;
  /** The Ollama hosts (src/fleet/): GET /api/v1/hosts, and the native passthrough's host choice. */
  hosts?: HostsView & PassthroughHosts;
}

/** Paths served outside the hot-route table, for 405 answers to other methods. */
const OTHER_KNOWN_ROUTES: ReadonlyArray<[string | string[], string[]]> = [
  [['/v1/models/*id', '/models/*id'], ['GET']],
  ['/api/v1/chat', ['POST']],
  [['/v1/responses/compact', '/responses/compact'], ['POST']],
  [['/v1/responses/:id', '/responses/:id'], ['GET', 'DELETE']],
  [['/v1/responses/:id/input_items', '/responses/:id/input_items'], ['GET']],
  ['/api/v1/context/:session_id', ['GET', 'PUT', 'DELETE']],
  [['/health', '/health/ready', '/metrics'], ['GET']],
  ['/api/v1/keys', ['GET', 'POST']],
  ['/api/v1/keys/:id', ['GET', 'PATCH', 'DELETE']],
];

/**
 * HTTP wiring only (no listen): tests and main.ts both build the server's request listener through here. Express
 * routes everything; the hot /v1 routes are also served without it, by exact method and path (request-listener.ts).
 */
export function createApp(deps: AppDeps): RequestListener {
  const { config, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  // ETags would hash every JSON body; API clients never send If-None-Match.
  app.set('etag', false);
  app.set('trust proxy', config.server.trustProxy);

  const { memory } = config;
  const sessionKv = deps.sessionStore ?? createMemoryKvStore({ maxEntries: memory.maxSessions });
  const encryptionKey = memory.encryptionKey === undefined ? undefined : decodeEncryptionKey(memory.encryptionKey);
  // Watches session writes so the admin API can list sessions (the store cannot enumerate its keys).
  const sessionIndex = createSessionIndex();
  const sessions = createSessions({
    kv: sessionIndex.observe(sessionKv),
    encryptionKey,
    ttlMs: memory.ttlSeconds * 1000,
    defaults: { strategy: memory.strategy, memorySize: memory.memorySize, windowSize: memory.windowSize, lowWater: memory.lowWater },
  });
  const traffic = deps.traffic ?? createTrafficStores({ redisUrl: config.redisUrl, keyPrefix: config.redisKeyPrefix, cacheMaxBytes: config.cache.maxBytes });
  const storeErrors = metrics.counter('proxy_traffic_store_errors_total', 'Failed rate-limit and cache store operations (e.g. Redis away), by feature', ['feature']);
  const reportStoreError = (feature: 'cache' | 'rate_limit') => (error: unknown) => {
    storeErrors.labels(feature).inc();
    deps.logger.debug('traffic store operation failed', { feature, error: error instanceof Error ? error.message : String(error) });
  };
  const backend = createChatPipeline({
    config,
    backend: deps.backend,
    metrics,
    sessions,
    cacheTiers: traffic.cacheTiers,
    plugins: deps.plugins,
    onCacheStoreError: reportStoreError('cache'),
  });
  const rateLimits: RateLimits | undefined = config.rateLimit.enabled
    ? createRateLimits({ config: config.rateLimit, limits: traffic.limits, requestStore: traffic.requestStore, metrics, reportStoreError: reportStoreError('rate_limit') })
    : undefined;
  // Headers must be out before the first ping is due; until then errors keep their real status code.
  const holdHeadersMs = Math.min(2_000, config.server.heartbeatMs);
  const { openStreams } = deps;
  const sse: StreamingDeps['writeSse'] = (res, items, options) =>
    writeSse(res, items, { ...options, heartbeatMs: config.server.heartbeatMs, holdHeadersMs, openStreams, abort: res.locals.abort });
  const sseFrom: StreamingDeps['writeSseFrom'] = (res, events, frames, options) =>
    writeSseFrom(res, events, frames, { ...options, heartbeatMs: config.server.heartbeatMs, holdHeadersMs, openStreams, abort: res.locals.abort });
  const authorizeModel = (principal: Principal | undefined, model: string) => assertModelAllowed(model, principal?.models);
  const streaming = { backend, metrics, writeSse: sse, writeSseFrom: sseFrom, authorizeModel, maxJsonDepth: config.server.bodyMaxDepth };
  // Stored responses (previous_response_id) live beside sessions: same store, cipher, TTL and strategy.
  const conversations = createConversationStore({
    kv: sessionKv,
    encryptionKey,
    ttlMs: memory.ttlSeconds * 1000,
    settings: { strategy: memory.strategy, memorySize: memory.memorySize, windowSize: memory.windowSize, lowWater: memory.lowWater },
    estimator: sessions.estimator,
    backend,
  });
  const { access } = deps;

  const perRequest = requestContext({
    logger: deps.logger,
    metrics,
    clientAddress: clientAddressReader(config.server.trustProxy),
    ...(access ? { onFinished: access.recorder.record } : {}),
  });
  app.use(perRequest);
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

  const json = jsonBody({ limit: config.server.bodyLimit, maxDepth: config.server.bodyMaxDepth });
  const auth = authenticate(deps.authenticator);
  // authenticate → rate limit (requests) → scope → body → rate limit (tokens, streams) → route.
  const guarded = (scope: Scope): Handler[] =>
    rateLimits
      ? [labelFromRoute, auth, rateLimits.requests, requireScope(scope), json, ...rateLimits.tokensAndStreams, cacheControl]
      : [labelFromRoute, auth, requireScope(scope), json, cacheControl];

  // Before any body parser: native bodies and NDJSON streams must reach Ollama untouched.
  const passthrough = ollamaPassthrough({ urls: deps.hosts?.urls() ?? config.ollama.urls, bodyLimit: config.server.bodyLimit, ...(openStreams ? { openStreams } : {}), ...(deps.hosts ? { hosts: deps.hosts } : {}) });
  const native = express.Router();
  native.use(passthrough.match, auth, ...(rateLimits ? [rateLimits.requests] : []), passthrough.guard, passthrough.models, passthrough.forward);
  app.use(native);

  if (access) {
    const admin = { ...access, flushRecords: access.recorder.flush, onKeysChanged: access.invalidate };
    app.use(adminApiRouter(admin, guarded('admin'), json));
  }

  const hot: HotRoute[] = [];
  // Known paths and their methods: any other method on them is a 405 with `allow` (registered last).
  const allowed = new Map<string, string[]>();
  const hotRoute = (method: HotRoute['method'], paths: string[], handlers: Handler[]) => {
    // Each path is its own exact-match entry: the variants without /v1 (DeepSeek's API serves both) cost nothing.
    for (const path of paths) {
      hot.push({ method, path, handlers: [perRequest, cors, ...handlers], label: path.startsWith('/v1/') || path.startsWith('/beta/') ? path : `/v1${path}` });
      allowed.set(path, [...(allowed.get(path) ?? []), method]);
    }
    // One registration per path: Express' req.route.path then names the one that matched (labelFromRoute).
    for (const path of paths) {
      if (method === 'GET') app.get(path, ...handlers);
      else app.post(path, ...handlers);
    }
  };
  const models = modelsRoutes(backend);
  hotRoute('GET', ['/v1/models', '/models'], [anthropicErrorsForAnthropicClients, ...guarded('models:read'), models.list]);
  for (const path of ['/v1/models/*id', '/models/*id']) app.get(path, anthropicErrorsForAnthropicClients, ...guarded('models:read'), models.get);
  hotRoute('POST', ['/v1/chat/completions', '/chat/completions'], [...guarded('chat'), chatCompletionsRoute(streaming)]);
  hotRoute('POST', ['/v1/completions', '/completions', '/beta/completions', '/v1/beta/completions'], [...guarded('completions'), completionsRoute(streaming)]);
  hotRoute('POST', ['/v1/embeddings', '/embeddings'], [...guarded('embeddings'), embeddingsRoute({ backend, metrics, authorizeModel })]);
  // Anthropic Messages: Claude Code and the Anthropic SDKs. Same pipeline, scope and limits as chat.
  const messages = { ...streaming, promptCounter: sessions.estimator };
  hotRoute('POST', ['/v1/messages'], [anthropicErrors, ...guarded('chat'), messagesRoute(messages)]);
  hotRoute('POST', ['/v1/messages/count_tokens'], [anthropicErrors, ...guarded('chat'), countTokensRoute(messages)]);
  app.use('/v1/messages', anthropicErrors);
  hotRoute('POST', ['/v1/responses', '/responses'], [...guarded('chat'), responsesRoute({ ...streaming, conversations })]);
  const storedResponses = storedResponsesRoutes({ conversations, backend, metrics, authorizeModel });
  app.post(['/v1/responses/compact', '/responses/compact'], ...guarded('chat'), storedResponses.compact);
  app.get(['/v1/responses/:id', '/responses/:id'], ...guarded('chat'), storedResponses.get);
  app.delete(['/v1/responses/:id', '/responses/:id'], ...guarded('chat'), storedResponses.delete);
  app.get(['/v1/responses/:id/input_items', '/responses/:id/input_items'], ...guarded('chat'), storedResponses.inputItems);
  // Sessions are a chat feature. These /api/v1 routes must stay ahead of any /api/* Ollama pass-through.
  const context = contextRoutes(sessions);
  app.put('/api/v1/context/:session_id', ...guarded('chat'), context.put);
  app.get('/api/v1/context/:session_id', ...guarded('chat'), context.get);
  app.delete('/api/v1/context/:session_id', ...guarded('chat'), context.delete);
  const sessionAdmin = adminSessionsRoutes(createSessionAdmin(sessions, sessionIndex));
  app.get('/api/v1/sessions', ...guarded('admin'), sessionAdmin.list);
  app.get('/api/v1/sessions/:id', ...guarded('admin'), sessionAdmin.get);
  app.delete('/api/v1/sessions/:id', ...guarded('admin'), sessionAdmin.delete);
  app.post('/api/v1/chat', ...guarded('chat'), simpleChatRoute({ ...streaming, defaultModel: config.models.defaultModel }));
  if (deps.operations) app.use(operationsRouter({ ...deps.operations, guard: guarded('admin'), writeSse: sse, openStreams }));
  if (deps.hosts) app.get('/api/v1/hosts', ...guarded('admin'), adminHostsRoute(deps.hosts));
  app.get('/api/v1/metrics/summary', ...guarded('admin'), adminMetricsRoute(() => summarizeMetrics(metrics.registry, CONSOLE_ROUTES)));
  if (deps.consoleDir) app.use('/console', consoleRoute({ dir: deps.consoleDir }));

  if (rateLimits) {
    const limits = limitsRoutes(rateLimits);
    app.get('/api/v1/limits/me', labelFromRoute, auth, limits.me);
    app.get('/api/v1/limits/:keyId', labelFromRoute, auth, requireScope('admin'), limits.forKey);
  }

  for (const [path, methods] of [...allowed, ...OTHER_KNOWN_ROUTES]) app.all(path, methodNotAllowed(methods));
  const handleError = errorHandler({ metrics });
  app.use(notFound);
  app.use(handleError);
  return createRequestListener(app, hot, handleError, [perRequest, cors]);
}

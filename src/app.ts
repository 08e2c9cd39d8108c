import { randomBytes } from 'node:crypto';
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
import { requestContext } from './http/middleware/request-context.js';
import { createRequestListener } from './http/request-listener.js';
import { apiRoutes } from './http/api-routes.js';
import { mountRoutes, type RouteGuards } from './http/route-table.js';
import { type HostsView } from './http/routes/admin-hosts.js';
import { consoleRoute } from './http/routes/console.js';
import { anthropicErrors } from './http/routes/anthropic-messages.js';
import { healthRoutes, type HealthCheck } from './http/routes/health.js';
import type { OperationsDeps } from './http/api-routes.js';
import { ollamaPassthrough } from './http/passthrough/ollama-passthrough.js';
import type { PassthroughHosts } from './http/passthrough/passthrough-targets.js';
import { createRateLimits, type RateLimits } from './http/rate-limit/rate-limits.js';
import type { OpenStreams } from './http/open-streams.js';
import { createStreamWriter } from './http/write-stream.js';
import type { Metrics } from './observability/metrics.js';
import { createThinkingSigner } from './anthropic/thinking-signature.js';
import { aliasTargetResolver } from './pipeline/model-resolution.js';
import { createChatPipeline } from './pipeline/create-chat-pipeline.js';
import { createConversationStore } from './pipeline/conversation-store/create-conversation-store.js';
import { createSessions } from './pipeline/session-memory/create-sessions.js';
import { createSessionAdmin } from './pipeline/session-memory/session-admin.js';
import { createSessionIndex } from './pipeline/session-memory/session-index.js';
import { type TrafficStores } from './stores/create-traffic-stores.js';
import type { KvStore } from './stores/kv-store.js';
import type { PluginRegistry } from './plugins/plugin-registry.js';

export interface AppDeps {
  config: Config;
  /** The upstream backend (Ollama); the pipeline stages are composed around it here. */
  backend: ChatBackend;
  logger: Logger;
  metrics: Metrics;
  authenticator: Authenticator;
  /** Key and token services, audit and usage recording (see create-access-control.ts); mounts the admin API. */
  access?: Pick<AccessControl, 'keys' | 'tokens' | 'recorder' | 'queryAudit' | 'invalidate'> & Partial<Pick<AccessControl, 'signingKey'>>;
  healthChecks?: HealthCheck[];
  /** The operations API under /api/v1 (scope admin): model management, fine-tune jobs, runtime log level. */
  operations?: OperationsDeps;
  /** Stores behind rate limits and the response cache (open-services.ts opens them from config; it closes them). */
  traffic: TrafficStores;
  isShuttingDown?: () => boolean;
  version?: string;
  /** Loaded at start-up by loadPlugins(); none when omitted. */
  plugins?: PluginRegistry;
  /** Where X-Session-Id conversations and stored responses live (open-services.ts opens it from config). */
  sessionStore: KvStore;
  /** Streams main.ts ends with a `server_shutting_down` frame when the shutdown grace runs out. */
  openStreams?: OpenStreams;
  /** The built operator console (dist/console), served at /console; not served when absent. */
  consoleDir?: string;
  /** The Ollama hosts (src/fleet/): GET /api/v1/hosts, and the native passthrough's host choice. */
  hosts?: HostsView & PassthroughHosts;
}

/** Thinking-block signatures keyed from the JWT secret (valid across restarts and instances), else per process. */
function thinkingSigner(access: AppDeps['access']) {
  return createThinkingSigner(access?.signingKey?.('anthropic-thinking') ?? randomBytes(32));
}

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
  const sessionKv = deps.sessionStore;
  const encryptionKey = memory.encryptionKey === undefined ? undefined : decodeEncryptionKey(memory.encryptionKey);
  // Watches session writes so the admin API can list sessions (the store cannot enumerate its keys).
  const sessionIndex = createSessionIndex();
  const sessions = createSessions({
    kv: sessionIndex.observe(sessionKv),
    encryptionKey,
    ttlMs: memory.ttlSeconds * 1000,
    defaults: { strategy: memory.strategy, memorySize: memory.memorySize, windowSize: memory.windowSize, lowWater: memory.lowWater },
  });
  const { traffic } = deps;
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
  const writeStream = createStreamWriter({ heartbeatMs: config.server.heartbeatMs, holdHeadersMs, openStreams });
  const authorizeModel = (principal: Principal | undefined, model: string) => assertModelAllowed(model, principal?.models);
  const streaming = { backend, metrics, writeStream, authorizeModel, maxJsonDepth: config.server.bodyMaxDepth };
  // Stored responses (previous_response_id) live beside sessions: same store, cipher, TTL and strategy.
  const conversations = createConversationStore({
    kv: sessionKv,
    encryptionKey,
    ttlMs: memory.ttlSeconds * 1000,
    settings: { strategy: memory.strategy, memorySize: memory.memorySize, windowSize: memory.windowSize, lowWater: memory.lowWater },
    estimator: sessions.estimator,
    backend,
  });
  const perRequest = requestContext({
    logger: deps.logger,
    metrics,
    clientAddress: clientAddressReader(config.server.trustProxy),
    ...(deps.access ? { onFinished: deps.access.recorder.record } : {}),
  });
  app.use(perRequest);
  app.use(cors);

  const json = jsonBody({ limit: config.server.bodyLimit, maxDepth: config.server.bodyMaxDepth });
  const auth = authenticate(deps.authenticator);
  const guards: RouteGuards = {
    // authenticate → rate limit (requests) → scope → body → [the route's parse] → rate limit (tokens, streams) → route.
    scoped: (scope: Scope): Handler[] =>
      rateLimits ? [auth, rateLimits.requests, requireScope(scope), json] : [auth, requireScope(scope), json],
    afterParse: rateLimits ? [...rateLimits.tokensAndStreams, cacheControl] : [cacheControl],
    signedIn: [auth],
    json,
  };

  // Before any body parser: native bodies and NDJSON streams must reach Ollama untouched.
  const passthrough = ollamaPassthrough({ urls: deps.hosts?.urls() ?? config.ollama.urls, bodyLimit: config.server.bodyLimit, ...(openStreams ? { openStreams } : {}), ...(deps.hosts ? { hosts: deps.hosts } : {}) });
  const native = express.Router();
  native.use(passthrough.match, auth, ...(rateLimits ? [rateLimits.requests] : []), passthrough.guard, passthrough.models, passthrough.forward);
  app.use(native);
  // Anything under /v1/messages that is not a route (404, 405) is answered in Anthropic's error shape.
  app.use('/v1/messages', anthropicErrors);

  const health = healthRoutes({
    checks: deps.healthChecks ?? [],
    timeoutMs: 2_000,
    isShuttingDown: deps.isShuttingDown ?? (() => false),
    version: deps.version ?? '0.0.0',
  });
  const { access } = deps;
  const routes = apiRoutes({
    config,
    metrics,
    chat: { ...streaming, backend },
    sessions,
    promptCounter: sessions.estimator,
    thinking: thinkingSigner(access),
    resolveAlias: aliasTargetResolver(config.models.aliases),
    sessionAdmin: createSessionAdmin(sessions, sessionIndex),
    conversations,
    health,
    access: access ? { ...access, flushRecords: access.recorder.flush, onKeysChanged: access.invalidate } : undefined,
    operations: deps.operations,
    hosts: deps.hosts,
    rateLimits,
  });
  const hot = mountRoutes(app, routes, guards, [perRequest, cors]);
  if (deps.consoleDir) app.use('/console', consoleRoute({ dir: deps.consoleDir }));

  const handleError = errorHandler({ metrics });
  app.use(notFound);
  app.use(handleError);
  return createRequestListener(app, hot, handleError, [perRequest, cors]);
}

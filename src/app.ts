import express, { type Express } from 'express';
import type { Config } from './config/config-schema.js';
import type { ChatBackend } from './core/chat-backend.js';
import { composeBackend } from './core/chat-middleware.js';
import type { Logger } from './core/logger.js';
import type { Scope } from './core/principal.js';
import { authenticate, requireScope, type Authenticator } from './http/middleware/authenticate.js';
import { cacheControl } from './http/middleware/cache-control.js';
import { cors } from './http/middleware/cors.js';
import { errorHandler, notFound } from './http/middleware/error-handler.js';
import { requestContext } from './http/middleware/request-context.js';
import { chatCompletionsRoute } from './http/routes/chat-completions.js';
import { completionsRoute } from './http/routes/completions.js';
import { embeddingsRoute } from './http/routes/embeddings.js';
import { healthRoutes, type HealthCheck } from './http/routes/health.js';
import { modelsRoutes } from './http/routes/models.js';
import { limitsRoutes } from './http/rate-limit/limits-routes.js';
import { createRateLimits, type RateLimits } from './http/rate-limit/rate-limits.js';
import type { StreamingDeps } from './http/routes/streaming-response.js';
import { writeSse } from './http/sse.js';
import type { Metrics } from './observability/metrics.js';
import { modelResolution } from './pipeline/model-resolution.js';
import { responseCache } from './pipeline/response-cache.js';
import { createTrafficStores, type TrafficStores } from './stores/create-traffic-stores.js';

export interface AppDeps {
  config: Config;
  /** The upstream backend (Ollama); the pipeline stages are composed around it here. */
  backend: ChatBackend;
  logger: Logger;
  metrics: Metrics;
  authenticator: Authenticator;
  healthChecks?: HealthCheck[];
  /** Stores behind rate limits and the response cache (the caller closes them); built from config when absent. */
  traffic?: TrafficStores;
  isShuttingDown?: () => boolean;
  version?: string;
}

/** Express wiring only (no listen): tests and main.ts both build the app through here. */
export function createApp(deps: AppDeps): Express {
  const { config, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  // ETags would hash every JSON body; API clients never send If-None-Match.
  app.set('etag', false);
  app.set('trust proxy', config.server.trustProxy);

  const traffic = deps.traffic ?? createTrafficStores({ redisUrl: config.redisUrl, keyPrefix: config.redisKeyPrefix, cacheMaxBytes: config.cache.maxBytes });
  const storeErrors = metrics.counter('proxy_traffic_store_errors_total', 'Failed rate-limit and cache store operations (e.g. Redis away), by feature', ['feature']);
  const reportStoreError = (feature: 'cache' | 'rate_limit') => (error: unknown) => {
    storeErrors.labels(feature).inc();
    deps.logger.debug('traffic store operation failed', { feature, error: error instanceof Error ? error.message : String(error) });
  };
  // The cache is innermost: after model resolution, so the fingerprint holds the resolved model and options.
  const backend = composeBackend(
    deps.backend,
    modelResolution({ aliases: config.models.aliases, defaults: config.models.defaults, listCacheMs: config.models.listCacheMs }),
    responseCache({
      policy: config.cache.policy,
      ttlMs: config.cache.ttlSeconds * 1000,
      shareAcrossKeys: config.cache.shareAcrossKeys,
      tiers: traffic.cacheTiers,
      onLookup: (result) => metrics.cacheLookup(result),
      onStoreError: reportStoreError('cache'),
    }),
  );
  const rateLimits: RateLimits | undefined = config.rateLimit.enabled
    ? createRateLimits({ config: config.rateLimit, limits: traffic.limits, requestStore: traffic.requestStore, metrics, reportStoreError: reportStoreError('rate_limit') })
    : undefined;
  const sse: StreamingDeps['writeSse'] = (res, items, options) =>
    writeSse(res, items, { ...options, heartbeatMs: config.server.heartbeatMs, holdHeadersMs: 2_000 });
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

  const json = express.json({ limit: config.server.bodyLimit });
  const auth = authenticate(deps.authenticator);
  // authenticate → rate limit (requests) → scope → body → rate limit (tokens, streams) → route.
  const guarded = (scope: Scope) =>
    rateLimits
      ? [auth, rateLimits.requests, requireScope(scope), json, ...rateLimits.tokensAndStreams, cacheControl]
      : [auth, requireScope(scope), json, cacheControl];

  const models = modelsRoutes(backend);
  app.get('/v1/models', ...guarded('models:read'), models.list);
  app.get('/v1/models/*id', ...guarded('models:read'), models.get);
  app.post('/v1/chat/completions', ...guarded('chat'), chatCompletionsRoute(streaming));
  app.post(['/v1/completions', '/beta/completions', '/v1/beta/completions'], ...guarded('completions'), completionsRoute(streaming));
  app.post('/v1/embeddings', ...guarded('embeddings'), embeddingsRoute({ backend, metrics }));

  if (rateLimits) {
    const limits = limitsRoutes(rateLimits);
    app.get('/api/v1/limits/me', auth, limits.me);
    app.get('/api/v1/limits/:keyId', auth, requireScope('admin'), limits.forKey);
  }

  app.use(notFound);
  app.use(errorHandler({ metrics }));
  return app;
}

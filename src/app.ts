import express, { type Express } from 'express';
import { enforceModelAccess } from './access/model-access-middleware.js';
import { assertModelAllowed } from './access/model-access.js';
import type { Config } from './config/config-schema.js';
import type { ChatBackend } from './core/chat-backend.js';
import { composeBackend } from './core/chat-middleware.js';
import type { Logger } from './core/logger.js';
import type { Principal, Scope } from './core/principal.js';
import type { AccessControl } from './create-access-control.js';
import { authenticate, requireScope, type Authenticator } from './http/middleware/authenticate.js';
import { cors } from './http/middleware/cors.js';
import { errorHandler, notFound } from './http/middleware/error-handler.js';
import { requestContext } from './http/middleware/request-context.js';
import { chatCompletionsRoute } from './http/routes/chat-completions.js';
import { completionsRoute } from './http/routes/completions.js';
import { embeddingsRoute } from './http/routes/embeddings.js';
import { adminApiRouter } from './http/routes/admin-api.js';
import { healthRoutes, type HealthCheck } from './http/routes/health.js';
import { modelsRoutes } from './http/routes/models.js';
import { ollamaPassthrough } from './http/routes/ollama-passthrough.js';
import type { StreamingDeps } from './http/routes/streaming-response.js';
import { writeSse } from './http/sse.js';
import type { Metrics } from './observability/metrics.js';
import { modelResolution } from './pipeline/model-resolution.js';

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

  const backend = composeBackend(
    deps.backend,
    modelResolution({ aliases: config.models.aliases, defaults: config.models.defaults, listCacheMs: config.models.listCacheMs }),
    // Inside alias resolution: the allow-list is checked against the installed model too (routes check the requested name).
    enforceModelAccess(),
  );
  // Headers must be out before the first ping is due; until then errors keep their real status code.
  const holdHeadersMs = Math.min(2_000, config.server.heartbeatMs);
  const sse: StreamingDeps['writeSse'] = (res, items, options) =>
    writeSse(res, items, { ...options, heartbeatMs: config.server.heartbeatMs, holdHeadersMs });
  const authorizeModel = (principal: Principal | undefined, model: string) => assertModelAllowed(model, principal?.models);
  const streaming = { backend, metrics, writeSse: sse, authorizeModel };
  const { access } = deps;

  app.use(requestContext({ logger: deps.logger, metrics, ...(access ? { onFinished: access.recorder.record } : {}) }));
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
  const guarded = (scope: Scope) => [auth, requireScope(scope), json] as const;

  // Before any body parser: native bodies and NDJSON streams must reach Ollama untouched.
  const passthrough = ollamaPassthrough({ urls: config.ollama.urls });
  const native = express.Router();
  native.use(passthrough.match, auth, passthrough.guard, passthrough.forward);
  app.use(native);

  if (access) {
    const admin = { ...access, flushRecords: access.recorder.flush, onKeysChanged: access.invalidate };
    app.use(adminApiRouter(admin, guarded('admin'), json));
  }

  const models = modelsRoutes(backend);
  app.get('/v1/models', ...guarded('models:read'), models.list);
  app.get('/v1/models/*id', ...guarded('models:read'), models.get);
  app.post('/v1/chat/completions', ...guarded('chat'), chatCompletionsRoute(streaming));
  app.post(['/v1/completions', '/beta/completions', '/v1/beta/completions'], ...guarded('completions'), completionsRoute(streaming));
  app.post('/v1/embeddings', ...guarded('embeddings'), embeddingsRoute({ backend, metrics, authorizeModel }));

  app.use(notFound);
  app.use(errorHandler({ metrics }));
  return app;
}

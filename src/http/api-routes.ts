import type { Config } from '../config/config-schema.js';
import type { ConversationStore } from '../core/conversation-store.js';
import type { SessionAdmin, SessionDirectory } from '../core/session-directory.js';
import type { Metrics } from '../observability/metrics.js';
import { summarizeMetrics } from '../observability/metrics-summary.js';
import type { RateLimits } from './rate-limit/rate-limits.js';
import { limitsRoutes } from './rate-limit/limits-routes.js';
import { toAnthropicCall } from '../anthropic/to-chat-request.js';
import { toChatCall } from '../openai/to-chat-request.js';
import { toEmbeddingCall } from '../openai/to-embedding-request.js';
import { toTextCall } from '../openai/to-text-request.js';
import { newItemId } from '../openai-responses/responses-ids.js';
import { toChatRequest as toResponsesCall } from '../openai-responses/to-chat-request.js';
import { parsed, type RouteEntry } from './route-table.js';
import type { KeyService } from '../access/key-service.js';
import type { AuditEntry, AuditQuery } from '../access/request-recorder.js';
import type { TokenService } from '../access/token-service.js';
import type { ModelAdmin } from '../model-admin/model-admin.js';
import { adminAuditRoute } from './routes/admin-audit.js';
import { adminFinetuneRoutes, type FinetuneApi } from './routes/admin-finetune.js';
import { adminHostsRoute, type HostsView } from './routes/admin-hosts.js';
import { adminKeysRoutes } from './routes/admin-keys.js';
import { adminLogsRoutes, type LogLevelControl } from './routes/admin-logs.js';
import { adminMetricsRoute, CONSOLE_ROUTES } from './routes/admin-metrics.js';
import { adminModelsRoutes } from './routes/admin-models.js';
import { adminSessionsRoutes } from './routes/admin-sessions.js';
import { anthropicErrors, anthropicErrorsForAnthropicClients, countTokensRoute, messagesRoute } from './routes/anthropic-messages.js';
import type { ThinkingSigner } from '../anthropic/thinking-signature.js';
import type { ModelInfo } from '../core/chat-result.js';
import type { ChatRouteDeps } from './generation/answer-generation.js';
import type { PromptCounter } from './generation/answer-messages.js';
import { chatCompletionsRoute } from './routes/chat-completions.js';
import { completionsRoute } from './routes/completions.js';
import { contextRoutes } from './routes/context.js';
import { embeddingsRoute } from './routes/embeddings.js';
import type { HealthRoutes } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { modelsRoutes } from './routes/models.js';
import { storedResponsesRoutes } from './routes/responses-stored.js';
import { responsesRoute } from './routes/responses.js';
import { simpleChatRoute } from './routes/simple-chat.js';
import { tokenExchangeRoute } from './routes/token-exchange.js';

/** Key management, audit and the token exchange (create-access-control.ts builds them). */
export interface AdminApiDeps {
  keys: KeyService;
  tokens: TokenService;
  queryAudit(query: AuditQuery): Promise<AuditEntry[]>;
  flushRecords(): Promise<void>;
  onKeysChanged(): void;
}

/** The operations API under /api/v1 (scope admin): model management, fine-tune jobs, the runtime log level. */
export interface OperationsDeps {
  models?: ModelAdmin;
  finetune?: FinetuneApi;
  logLevel?: LogLevelControl;
}

/** What the routes are built from (app.ts assembles it from AppDeps and config). */
export interface ApiRouteServices {
  config: Config;
  metrics: Metrics;
  /** The composed pipeline and the streaming writers, as every generation route needs them. */
  chat: ChatRouteDeps;
  sessions: SessionDirectory;
  /** Prompt sizes without a tokenizer (the session memory's calibrated estimator): count_tokens. */
  promptCounter: PromptCounter;
  /** Signs thinking blocks going out on /v1/messages and checks those coming back. */
  thinking: ThinkingSigner;
  /** The installed model an alias (configured or built in) maps a name to: GET /v1/models/{id} for agents' names. */
  resolveAlias: (name: string, installed: readonly ModelInfo[]) => string | undefined;
  sessionAdmin: SessionAdmin;
  conversations: ConversationStore;
  health: HealthRoutes;
  access?: AdminApiDeps | undefined;
  operations?: OperationsDeps | undefined;
  hosts?: HostsView | undefined;
  rateLimits?: RateLimits | undefined;
}

/** Paths every OpenAI-compatible client may use, with and without /v1 (DeepSeek's API serves both). */
const both = (path: string): string[] => [`/v1${path}`, path];

/** The inference API: OpenAI chat, completions, embeddings, models; OpenAI Responses; Anthropic Messages. */
function inferenceRoutes(s: ApiRouteServices): RouteEntry[] {
  const { chat } = s;
  const models = modelsRoutes(chat.backend, { resolveAlias: s.resolveAlias });
  const messages = { ...chat, promptCounter: s.promptCounter, thinking: s.thinking };
  const toMessagesCall = (body: unknown) => toAnthropicCall(body, { verifyThinking: s.thinking.verify });
  const stored = storedResponsesRoutes({ conversations: s.conversations, backend: chat.backend, metrics: s.metrics, ...(chat.authorizeModel ? { authorizeModel: chat.authorizeModel } : {}) });
  const anthropic = [anthropicErrors];
  const embeddings = { backend: chat.backend, metrics: s.metrics };
  return [
    { method: 'GET', paths: both('/models'), access: 'models:read', hot: true, before: [anthropicErrorsForAnthropicClients], handler: models.list },
    { method: 'GET', paths: both('/models/*id'), access: 'models:read', before: [anthropicErrorsForAnthropicClients], handler: models.get },
    { method: 'POST', paths: both('/chat/completions'), access: 'chat', hot: true, ...parsed((body) => toChatCall(body, chat.maxJsonDepth), chatCompletionsRoute(chat)) },
    { method: 'POST', paths: [...both('/completions'), '/beta/completions', '/v1/beta/completions'], access: 'completions', hot: true, ...parsed(toTextCall, completionsRoute(chat)) },
    { method: 'POST', paths: both('/embeddings'), access: 'embeddings', hot: true, ...parsed(toEmbeddingCall, embeddingsRoute(embeddings)) },
    { method: 'POST', paths: ['/v1/messages'], access: 'chat', hot: true, before: anthropic, ...parsed(toMessagesCall, messagesRoute(messages)) },
    { method: 'POST', paths: ['/v1/messages/count_tokens'], access: 'chat', hot: true, before: anthropic, handler: countTokensRoute(messages) },
    { method: 'POST', paths: both('/responses'), access: 'chat', hot: true, ...parsed((body) => toResponsesCall(body, newItemId), responsesRoute({ ...chat, conversations: s.conversations })) },
    { method: 'POST', paths: both('/responses/compact'), access: 'chat', handler: stored.compact },
    { method: 'GET', paths: both('/responses/:id'), access: 'chat', handler: stored.get },
    { method: 'DELETE', paths: both('/responses/:id'), access: 'chat', handler: stored.delete },
    { method: 'GET', paths: both('/responses/:id/input_items'), access: 'chat', handler: stored.inputItems },
  ];
}

/** Our own /api/v1 API for callers: sessions, the simple chat, their limits, the token exchange. */
function userRoutes(s: ApiRouteServices): RouteEntry[] {
  const context = contextRoutes(s.sessions);
  const limits = s.rateLimits ? limitsRoutes(s.rateLimits) : undefined;
  return [
    ...(s.access ? [{ method: 'POST', paths: ['/api/v1/auth'], access: 'public', json: true, handler: tokenExchangeRoute(s.access.tokens) } satisfies RouteEntry] : []),
    { method: 'PUT', paths: ['/api/v1/context/:session_id'], access: 'chat', handler: context.put },
    { method: 'GET', paths: ['/api/v1/context/:session_id'], access: 'chat', handler: context.get },
    { method: 'DELETE', paths: ['/api/v1/context/:session_id'], access: 'chat', handler: context.delete },
    { method: 'POST', paths: ['/api/v1/chat'], access: 'chat', handler: simpleChatRoute({ ...s.chat, defaultModel: s.config.models.defaultModel }) },
    ...(limits
      ? ([
          { method: 'GET', paths: ['/api/v1/limits/me'], access: 'signed-in', handler: limits.me },
          { method: 'GET', paths: ['/api/v1/limits/:keyId'], access: 'admin', handler: limits.forKey },
        ] satisfies RouteEntry[])
      : []),
  ];
}

/** The admin API (scope `admin`): keys, audit, sessions, models, fine-tuning, logs, hosts, metrics summary. */
function adminRoutes(s: ApiRouteServices): RouteEntry[] {
  const routes: RouteEntry[] = [];
  const add = (method: RouteEntry['method'], paths: string[], handler: RouteEntry['handler']) => routes.push({ method, paths, access: 'admin', handler });
  if (s.access) {
    const { access } = s;
    const keys = adminKeysRoutes({ keys: access.keys, onKeysChanged: access.onKeysChanged, flushRecords: access.flushRecords });
    add('POST', ['/api/v1/keys'], keys.create);
    add('GET', ['/api/v1/keys'], keys.list);
    add('GET', ['/api/v1/keys/:id'], keys.get);
    add('PATCH', ['/api/v1/keys/:id'], keys.update);
    add('DELETE', ['/api/v1/keys/:id'], keys.revoke);
    add('POST', ['/api/v1/keys/:id/rotate'], keys.rotate);
    add('GET', ['/api/v1/keys/:id/usage'], keys.usage);
    add('GET', ['/api/v1/audit'], adminAuditRoute(access.queryAudit));
  }
  const sessions = adminSessionsRoutes(s.sessionAdmin);
  add('GET', ['/api/v1/sessions'], sessions.list);
  add('GET', ['/api/v1/sessions/:id'], sessions.get);
  add('DELETE', ['/api/v1/sessions/:id'], sessions.delete);
  const operations = s.operations ?? {};
  if (operations.models) {
    const models = adminModelsRoutes({ admin: operations.models, writeStream: s.chat.writeStream });
    add('GET', ['/api/v1/models'], models.list);
    add('POST', ['/api/v1/models'], models.deploy);
    add('DELETE', ['/api/v1/models/*name'], models.unload);
  }
  if (operations.finetune) {
    const finetune = adminFinetuneRoutes(operations.finetune);
    add('POST', ['/api/v1/finetune'], finetune.create);
    add('GET', ['/api/v1/finetune'], finetune.list);
    add('GET', ['/api/v1/finetune/:id', '/api/v1/finetune/:id/status'], finetune.status);
    add('POST', ['/api/v1/finetune/:id/cancel'], finetune.cancel);
    add('DELETE', ['/api/v1/finetune/:id'], finetune.cancel);
  }
  if (operations.logLevel) {
    const logs = adminLogsRoutes(operations.logLevel);
    add('GET', ['/api/v1/logs'], logs.get);
    add('PUT', ['/api/v1/logs'], logs.put);
  }
  if (s.hosts) add('GET', ['/api/v1/hosts'], adminHostsRoute(s.hosts));
  add('GET', ['/api/v1/metrics/summary'], adminMetricsRoute(() => summarizeMetrics(s.metrics.registry, CONSOLE_ROUTES)));
  return routes;
}

/** Liveness, readiness and the Prometheus scrape: no credential (the scrape has its own token). */
function probeRoutes(s: ApiRouteServices): RouteEntry[] {
  const routes: RouteEntry[] = [
    { method: 'GET', paths: ['/health'], access: 'public', handler: s.health.live },
    { method: 'GET', paths: ['/health/ready'], access: 'public', handler: s.health.ready },
  ];
  if (s.config.metrics.enabled) routes.push({ method: 'GET', paths: ['/metrics'], access: 'public', handler: metricsRoute({ metrics: s.metrics, token: s.config.metrics.token }) });
  return routes;
}

/** Every route the server answers (the native /api/* passthrough and the console's static files aside). */
export function apiRoutes(s: ApiRouteServices): RouteEntry[] {
  return [...probeRoutes(s), ...inferenceRoutes(s), ...userRoutes(s), ...adminRoutes(s)];
}

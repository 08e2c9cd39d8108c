import type { ChatEvent } from '../../core/chat-event.js';
import type { Usage } from '../../core/chat-result.js';
import type { Principal } from '../../core/principal.js';
import type { Metrics } from '../../observability/metrics.js';
import type { HttpResponse } from '../http-types.js';
import type { StreamTap, StreamWriter } from '../write-stream.js';

export interface StreamingDeps {
  metrics: Metrics;
  /** writeStream with the server's heartbeat, hold and shutdown settings bound. */
  writeStream: StreamWriter;
  /** Throws PermissionDeniedError when the principal may not use the model (access control). */
  authorizeModel?: (principal: Principal | undefined, model: string) => void;
  /** BODY_MAX_DEPTH, for JSON the route decodes from strings (tool-call arguments). */
  maxJsonDepth?: number;
}

/** What the access log, audit and metrics learn from a finished generation. */
export function recordUsage(res: HttpResponse, metrics: Metrics, model: string, usage: Usage): void {
  (res.locals.outcome ??= {}).usage = usage;
  metrics.tokens(model, 'prompt', usage.promptTokens);
  metrics.tokens(model, 'completion', usage.completionTokens);
  if (usage.cachedTokens !== undefined) metrics.tokens(model, 'cached', usage.cachedTokens);
}

const CACHE_HEADER = { hit: 'HIT', miss: 'MISS', bypass: 'BYPASS' } as const;

/** Response headers from what the stages recorded in the call's outcome. */
export function annotationHeaders(res: HttpResponse): void {
  const outcome = res.locals.outcome;
  if (!outcome) return;
  const { cache, contextTruncated } = outcome;
  if (cache) res.setHeader('x-cache', CACHE_HEADER[cache]);
  // The backend let Ollama cut the prompt to fit the context (models.contextOverflow: truncate).
  if (contextTruncated) res.setHeader('x-context-truncated', 'true');
}

type Finish = Extract<ChatEvent, { type: 'finish' }>;

/**
 * What logs and metrics learn from a generation as it streams: the resolved model, time to first token, usage,
 * and the open-streams gauge. `onFinish` runs before the finish event is written; a promise it returns holds
 * the stream (a stored response is saved before the client can read its last event and ask for it).
 */
export function chatStreamTap(res: HttpResponse, metrics: Metrics, requested: string, onFinish?: (event: Finish) => void | Promise<void>): StreamTap<ChatEvent> {
  const locals = res.locals;
  let model = requested;
  let firstToken = true;
  metrics.activeStreams.inc();
  return {
    see(event) {
      if (event.type === 'start') {
        model = event.model;
      } else if (event.type === 'finish') {
        recordUsage(res, metrics, model, event.usage);
        return onFinish?.(event);
      } else if (firstToken) {
        firstToken = false;
        metrics.timeToFirstToken(model, Number(process.hrtime.bigint() - locals.startedAt!) / 1e9);
      }
    },
    close() {
      metrics.activeStreams.dec();
    },
  };
}

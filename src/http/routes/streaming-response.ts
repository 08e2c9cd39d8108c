import type { ChatEvent } from '../../core/chat-event.js';
import type { EventMapper } from '../../core/event-mapper.js';
import type { Usage } from '../../core/chat-result.js';
import type { Principal } from '../../core/principal.js';
import type { Metrics } from '../../observability/metrics.js';
import type { HttpResponse } from '../http-types.js';
import type { SseFrameMapper, WriteSseOptions } from '../sse.js';

export interface StreamingDeps {
  metrics: Metrics;
  /** writeSse with the server's heartbeat/hold settings bound. */
  writeSse: <T extends object>(res: HttpResponse, items: AsyncIterable<T>, options: Pick<WriteSseOptions<T>, 'signal' | 'beforeHeaders' | 'serialize'>) => Promise<void>;
  /** writeSseFrom with the same settings bound: events turned into frames inside the writer's loop. */
  writeSseFrom: <E, F extends object>(
    res: HttpResponse,
    events: AsyncIterable<E>,
    frames: SseFrameMapper<E, F>,
    options: Pick<WriteSseOptions<F>, 'signal' | 'beforeHeaders' | 'serialize' | 'eventName' | 'terminator' | 'heartbeat'>,
  ) => Promise<void>;
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

/** What logs and metrics learn from a stream as it passes: the resolved model, time to first token, usage. */
export interface EventObserver {
  see(event: ChatEvent): void;
  /** The stream is over (the open-streams gauge goes down); safe to call twice. */
  close(): void;
}

export function eventObserver(res: HttpResponse, metrics: Metrics, meta: { model: string }): EventObserver {
  const locals = res.locals;
  let model = meta.model;
  let firstToken = true;
  let isOpen = true;
  metrics.activeStreams.inc();
  return {
    see(event) {
      if (event.type === 'start') {
        model = event.model;
      } else if (firstToken && event.type !== 'finish') {
        firstToken = false;
        metrics.timeToFirstToken(model, Number(process.hrtime.bigint() - locals.startedAt!) / 1e9);
      } else if (event.type === 'finish') {
        recordUsage(res, metrics, model, event.usage);
      }
    },
    close() {
      if (!isOpen) return;
      isOpen = false;
      metrics.activeStreams.dec();
    },
  };
}

/** A stream's translation with an observer in front: what the SSE writer runs per event of a chat or text stream. */
export function observedFrames<F>(observer: EventObserver, mapper: EventMapper<ChatEvent, F>): SseFrameMapper<ChatEvent, F> {
  return {
    map(event, out) {
      observer.see(event);
      return mapper.map(event, out);
    },
    end: (out) => mapper.end(out),
    close: () => observer.close(),
  };
}

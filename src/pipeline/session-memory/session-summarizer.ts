import type { CallContext, ChatPort } from '../../core/chat-backend.js';
import type { Principal } from '../../core/principal.js';
import { strategyByName } from '../memory-strategies/strategy-by-name.js';
import { applySummary, foldKey, summaryBudget, toSummaryPrompt } from '../memory-strategies/summary.js';
import { tryLease, type Lease } from './kv-lease.js';
import type { SessionRegistry } from './session-registry.js';

// Folds a session's older turns into its running summary, written by the model itself. It runs after the
// response has gone out (the caller does not await it), at most once at a time per session (in-process,
// and across instances through a lease in a shared store). The model is called without holding the
// session, so the next request does not wait for it; the result is applied only if the folded turns are
// still the oldest ones. Any failure is logged and leaves the history as it was.

export interface SessionSummarizerOptions {
  registry: SessionRegistry;
  /** The stage after session memory: the summarizing call passes through plugins and cache like any other. */
  backend: ChatPort;
  /** Default: the model of the session's latest exchange. */
  summarizerModel?: string;
  /**
   * Whether the caller may use a model (its key's allow-list). The summarizing call runs inside the pipeline,
   * past the allow-list stage, so summarizerModel is used only when this says yes; else the session's own model
   * (which the request just used) summarizes. Default: any model.
   */
  mayUse?: (principal: Principal, model: string) => boolean;
  /** Upper bound for one summarizing call. Default 5 min. */
  timeoutMs?: number;
  now?: () => number;
}

export interface SessionSummarizer {
  /** Never rejects and never blocks the caller. */
  schedule(id: string, ctx: CallContext): void;
}

const foldLeaseKey = (id: string): string => `session-fold:${id}`;

interface SummarizeDeps {
  registry: SessionRegistry;
  backend: ChatPort;
  summarizerModel: string | undefined;
  mayUse: (principal: Principal, model: string) => boolean;
  timeoutMs: number;
  now: () => number;
}

/** SUMMARIZER_MODEL if the caller's key may use it, else the model the session's latest request used. */
function summaryModel(deps: SummarizeDeps, sessionModel: string | undefined, ctx: CallContext): string | undefined {
  const configured = deps.summarizerModel;
  if (configured === undefined || deps.mayUse(ctx.principal, configured)) return configured ?? sessionModel;
  ctx.logger.debug('session summary uses the session model: the key may not use the summarizer model', { summarizerModel: configured, model: sessionModel });
  return sessionModel !== undefined && deps.mayUse(ctx.principal, sessionModel) ? sessionModel : undefined;
}

/** One fold: read, ask the model, then apply under the session's lock if the folded turns are still the oldest. */
async function summarize(deps: SummarizeDeps, id: string, ctx: CallContext): Promise<void> {
  const { registry } = deps;
  const record = await registry.store.load(id);
  if (!record) return;
  const { history } = record;
  const count = strategyByName(history.settings.strategy).foldCount(history, registry.estimateFor(record));
  const model = summaryModel(deps, record.model, ctx);
  if (count < 1 || model === undefined) return;
  const folded = history.turns.slice(0, count);
  const signal = AbortSignal.timeout(deps.timeoutMs);
  const summaryCtx: CallContext = { signal, requestId: `${ctx.requestId}-summary`, principal: ctx.principal, logger: ctx.logger, outcome: {} };
  const messages = toSummaryPrompt(history.summary, folded, summaryBudget(history));
  const result = await deps.backend.complete({ model, messages, sampling: {}, reasoning: { enabled: false } }, summaryCtx);
  const summary = result.message.content.trim();
  if (summary === '') throw new Error('the summarizer answered with an empty summary');
  const release = await registry.lock.acquire(id, signal);
  try {
    const latest = await registry.store.load(id);
    const applied = latest?.createdAt === record.createdAt ? applySummary(latest.history, foldKey(folded), count, summary) : undefined;
    const next = applied && { ...applied, summaryModel: model };
    if (!latest || !next) {
      ctx.logger.debug('session summary dropped: the history moved on meanwhile', { sessionId: id });
      return;
    }
    await registry.store.save(id, { ...latest, updatedAt: deps.now(), history: next });
    ctx.logger.debug('session summary written', { sessionId: id, foldedTurns: count });
  } finally {
    await release();
  }
}

export function createSessionSummarizer(options: SessionSummarizerOptions): SessionSummarizer {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const deps: SummarizeDeps = { ...options, summarizerModel: options.summarizerModel, mayUse: options.mayUse ?? (() => true), timeoutMs, now: options.now ?? Date.now };
  const running = new Map<string, { again: boolean }>();

  const foldOnce = async (id: string, ctx: CallContext): Promise<void> => {
    const kv = options.registry.store.kv;
    let lease: Lease | undefined;
    try {
      if (kv.kind !== 'memory') {
        lease = await tryLease(kv, foldLeaseKey(id), timeoutMs + 30_000);
        if (!lease) return;
      }
      await summarize(deps, id, ctx);
    } catch (error) {
      ctx.logger.warn('session summary failed; history kept as it was', { sessionId: id, error: (error as Error).message });
    } finally {
      await lease?.release();
    }
  };

  return {
    schedule(id, ctx) {
      const current = running.get(id);
      if (current) {
        current.again = true;
        return;
      }
      // A request committed while a fold runs asks for one more pass instead of a concurrent one.
      const entry = { again: true };
      running.set(id, entry);
      const run = async () => {
        while (entry.again) {
          entry.again = false;
          await foldOnce(id, ctx);
        }
      };
      // setImmediate: the route writes the response (or the stream's [DONE]) before the summarizer starts.
      setImmediate(() => void run().finally(() => running.delete(id)));
    },
  };
}

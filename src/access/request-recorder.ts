import type { Logger } from '../core/logger.js';
import type { Principal } from '../core/principal.js';
import type { AuditEntry, KeyStore, UsageIncrement } from '../stores/key-store.js';

/** The audit log as the admin API reads it. */
export type { AuditEntry, AuditQuery } from '../stores/key-store.js';

// Every authenticated request becomes one audit row and one usage increment. Recording is a push onto an
// in-memory batch; a timer (or a full batch) writes it in one transaction, so no request waits on the store.
// The price: the last ~second of records is lost if the process dies hard (graceful shutdown flushes).

/** What the HTTP layer reports once a request is over. Never a secret or a prompt. */
export interface FinishedRequest {
  principal?: Principal | undefined;
  method: string;
  /** Route template, e.g. /v1/chat/completions. */
  route: string;
  model?: string | undefined;
  status: number;
  usage?: { promptTokens: number; completionTokens: number; cachedTokens?: number | undefined } | undefined;
  durationMs: number;
  requestId: string;
  clientIp?: string | undefined;
}

export interface RequestRecorder {
  record(request: FinishedRequest): void;
  /** Writes what is pending; resolves once it is stored (audit and usage reads call this first). */
  flush(): Promise<void>;
  /** Deletes audit rows older than the retention; returns how many. */
  prune(): Promise<number>;
  /** Stops the timers and flushes. */
  close(): Promise<void>;
}

export interface RequestRecorderOptions {
  store: Pick<KeyStore, 'recordRequests' | 'pruneAudit'>;
  logger: Logger;
  retentionDays: number;
  now?: () => Date;
  flushIntervalMs?: number;
  /** A batch this large is written at once, without waiting for the timer. */
  maxBatch?: number;
  /** Beyond this many pending records (store down or too slow), new ones are dropped and counted. */
  maxPending?: number;
  pruneIntervalMs?: number;
}

const DAY_MS = 86_400_000;

export function createRequestRecorder(options: RequestRecorderOptions): RequestRecorder {
  const now = options.now ?? (() => new Date());
  const pending = createPendingBatch(options);
  const prune = async (): Promise<number> => {
    const removed = await options.store.pruneAudit(new Date(now().getTime() - options.retentionDays * DAY_MS));
    if (removed > 0) options.logger.info('pruned the audit log', { removed, retentionDays: options.retentionDays });
    return removed;
  };
  const flushTimer = setInterval(pending.tick, options.flushIntervalMs ?? 1_000);
  const pruneTimer = setInterval(() => {
    prune().catch((error: unknown) => options.logger.error('could not prune the audit log', { error: describe(error) }));
  }, options.pruneIntervalMs ?? 3_600_000);
  // Timers must not keep a finished process (a test, a CLI) alive.
  flushTimer.unref();
  pruneTimer.unref();
  return {
    record(request) {
      const principal = request.principal;
      if (principal === undefined || principal.kind === 'anonymous') return;
      pending.add(toAuditEntry(request, principal, now()), request.usage?.cachedTokens ?? 0);
    },
    flush: pending.flush,
    prune,
    async close() {
      clearInterval(flushTimer);
      clearInterval(pruneTimer);
      await pending.flush();
    },
  };
}

/**
 * The in-memory batch. At most one write is in flight: while the store is slow (or down), records accumulate up
 * to maxPending and the surplus is dropped and counted, so memory stays bounded.
 */
function createPendingBatch(options: RequestRecorderOptions) {
  const { store, logger } = options;
  const maxBatch = options.maxBatch ?? 1_000;
  const maxPending = options.maxPending ?? 50_000;
  let audit: AuditEntry[] = [];
  // Cached prompt tokens of each pending entry (usage counters keep them; the audit row does not).
  let cached: number[] = [];
  let dropped = 0;
  let inFlight: Promise<void> | undefined;

  const writeNext = (): Promise<void> => {
    if (inFlight !== undefined || audit.length === 0) return inFlight ?? Promise.resolve();
    const counts = cached;
    const batch = { audit, usage: audit.map((entry, index) => toUsageIncrement(entry, counts[index] ?? 0)) };
    audit = [];
    cached = [];
    inFlight = store.recordRequests(batch)
      .catch((error: unknown) => {
        logger.error('could not store audit and usage records', { records: batch.audit.length, error: describe(error) });
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  const reportDropped = (): void => {
    if (dropped === 0) return;
    logger.warn('dropped audit and usage records: the key store is not keeping up', { records: dropped });
    dropped = 0;
  };
  return {
    add(entry: AuditEntry, cachedTokens: number): void {
      if (audit.length >= maxPending) {
        dropped++;
        return;
      }
      audit.push(entry);
      cached.push(cachedTokens);
      if (audit.length >= maxBatch) void writeNext();
    },
    /** For the timer: starts a write unless one is running. */
    tick(): void {
      reportDropped();
      void writeNext();
    },
    /** Resolves once everything recorded before the call is stored. */
    async flush(): Promise<void> {
      reportDropped();
      await inFlight;
      await writeNext();
    },
  };
}

function toAuditEntry(request: FinishedRequest, principal: Principal, finishedAt: Date): AuditEntry {
  return {
    at: new Date(finishedAt.getTime() - request.durationMs),
    keyId: principal.id,
    route: `${request.method} ${request.route}`,
    model: request.model ?? null,
    status: request.status,
    promptTokens: request.usage?.promptTokens ?? 0,
    completionTokens: request.usage?.completionTokens ?? 0,
    latencyMs: Math.round(request.durationMs * 1000) / 1000,
    requestId: request.requestId,
    clientIp: request.clientIp ?? null,
  };
}

/** Usage is counted per UTC day and model; requests without a model (model lists, admin calls) under ''. */
function toUsageIncrement(entry: AuditEntry, cachedTokens: number): UsageIncrement {
  return {
    keyId: entry.keyId,
    day: entry.at.toISOString().slice(0, 10),
    model: entry.model ?? '',
    requests: 1,
    promptTokens: entry.promptTokens,
    completionTokens: entry.completionTokens,
    cachedTokens,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

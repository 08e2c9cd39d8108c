import { InvalidRequestError, NotFoundError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import { SESSION_ID_PATTERN, type MemorySettings, type SessionDirectory, type SessionView } from '../../core/session-directory.js';
import { emptyHistory, type EstimateTokens } from '../memory-strategies/memory-strategy.js';
import { strategyByName } from '../memory-strategies/strategy-by-name.js';
import type { TokenEstimator } from '../memory-strategies/token-estimator.js';
import type { SessionLock } from './session-lock.js';
import type { SessionRecord } from './session-record.js';
import type { SessionStore } from './session-store.js';

/** A session held by one request: nobody else reads or writes it until release(). */
export interface OpenSession {
  readonly id: string;
  readonly record: SessionRecord;
  save(record: SessionRecord): Promise<void>;
  release(): Promise<void>;
}

export interface SessionRegistry extends SessionDirectory {
  readonly store: SessionStore;
  readonly lock: SessionLock;
  readonly estimator: TokenEstimator;
  /** Waits for the session's turn, then loads it, or starts it with the defaults for this principal. */
  open(id: string, principal: Principal, signal: AbortSignal): Promise<OpenSession>;
  /** The token estimate for the record's model. */
  estimateFor(record: SessionRecord): EstimateTokens;
}

export interface SessionRegistryOptions {
  store: SessionStore;
  lock: SessionLock;
  estimator: TokenEstimator;
  defaults: MemorySettings;
  now?: () => number;
}

function checkId(id: string): void {
  if (!SESSION_ID_PATTERN.test(id)) {
    throw new InvalidRequestError('A session id is 1-128 characters from A-Z, a-z, 0-9 and . _ : -', 'session_id');
  }
}

/** Someone else's session looks exactly like a missing one. */
function owned(id: string, record: SessionRecord | undefined, principal: Principal): SessionRecord {
  if (!record || record.owner !== principal.id) throw new NotFoundError(`No session '${id}' was found for this key.`);
  return record;
}

function checkSettings(settings: MemorySettings): void {
  if (settings.windowSize > settings.memorySize) {
    throw new InvalidRequestError(`window_size (${settings.windowSize}) must not exceed memory_size (${settings.memorySize}).`, 'window_size');
  }
}

export function toSessionView(id: string, record: SessionRecord, estimate: EstimateTokens): SessionView {
  const { history } = record;
  const carried = strategyByName(history.settings.strategy).prepare(history, [], estimate);
  const view: SessionView = {
    id,
    settings: history.settings,
    turns: history.turns.length,
    messages: history.turns.reduce((sum, turn) => sum + turn.messages.length, 0),
    estimatedTokens: carried.length === 0 ? 0 : estimate(carried),
    summarizedTurns: history.summarizedTurns,
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
  };
  if (history.summary !== undefined) view.summary = history.summary;
  if (history.summaryModel !== undefined) view.summaryModel = history.summaryModel;
  if (record.model !== undefined) view.model = record.model;
  return view;
}

/** Runs `work` holding the session; the context API's calls are not cancelled by the client. */
async function holding<T>(lock: SessionLock, id: string, work: () => Promise<T>): Promise<T> {
  const release = await lock.acquire(id, new AbortController().signal);
  try {
    return await work();
  } finally {
    await release();
  }
}

export function createSessionRegistry(options: SessionRegistryOptions): SessionRegistry {
  const { store, lock, estimator, defaults } = options;
  const now = options.now ?? Date.now;
  const estimateFor = (record: SessionRecord): EstimateTokens => (messages) => estimator.count(record.model ?? '', messages);
  const view = (id: string, record: SessionRecord) => toSessionView(id, record, estimateFor(record));
  /** The stored session if this principal owns it, or a new one with the defaults. */
  const loadOrStart = async (id: string, principal: Principal) => {
    const stored = await store.load(id);
    if (stored !== undefined) return { record: owned(id, stored, principal), created: false };
    const at = now();
    const record: SessionRecord = { v: 1, owner: principal.id, createdAt: at, updatedAt: at, history: emptyHistory({ ...defaults }) };
    return { record, created: true };
  };

  return {
    store,
    lock,
    estimator,
    estimateFor,
    async open(id, principal, signal) {
      checkId(id);
      const release = await lock.acquire(id, signal);
      try {
        const { record } = await loadOrStart(id, principal);
        return { id, record, save: (next) => store.save(id, { ...next, updatedAt: now() }), release };
      } catch (error) {
        await release();
        throw error;
      }
    },
    async describe(id, principal) {
      checkId(id);
      return view(id, owned(id, await store.load(id), principal));
    },
    configure(id, principal, settings) {
      checkId(id);
      return holding(lock, id, async () => {
        const { record, created } = await loadOrStart(id, principal);
        const merged = { ...record.history.settings, ...settings };
        checkSettings(merged);
        const next: SessionRecord = { ...record, updatedAt: now(), history: { ...record.history, settings: merged } };
        await store.save(id, next);
        return { view: view(id, next), created };
      });
    },
    forget(id, principal) {
      checkId(id);
      return holding(lock, id, async () => {
        owned(id, await store.load(id), principal);
        await store.delete(id);
      });
    },
  };
}

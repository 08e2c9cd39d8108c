// Persistence for API keys, their usage counters and the audit log. Adapters: SQLite (embedded default)
// and PostgreSQL (shared by several proxy instances). One contract suite runs against both.

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** SHA-256 hex of the secret. Never leaves the access layer. */
  hash: string;
  /** Display prefix of the secret, e.g. 'sk-AbCdEfG…'. */
  prefix: string;
  scopes: string[];
  /** Allowed model names or globs; null means every model. */
  models: string[] | null;
  tier: string | null;
  /** The key's own rate limits (tier field name → value), each overriding its tier's; null: the tier's alone. */
  limits: Record<string, number> | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** The hash before the last rotation, still accepted until previousHashExpiresAt. */
  previousHash: string | null;
  previousHashExpiresAt: Date | null;
}

export interface ApiKeyPatch {
  name?: string;
  scopes?: string[];
  models?: string[] | null;
  tier?: string | null;
  limits?: Record<string, number> | null;
  metadata?: Record<string, unknown>;
  expiresAt?: Date | null;
}

export interface UsageIncrement {
  keyId: string;
  /** UTC day, 'YYYY-MM-DD'. */
  day: string;
  model: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** Part of promptTokens read from a cache (Ollama's KV cache or the response cache); 0 when unknown. */
  cachedTokens?: number;
}

export type UsageRow = Omit<UsageIncrement, 'keyId'>;

export interface UsageQuery {
  /** Inclusive 'YYYY-MM-DD' bounds. */
  from?: string;
  to?: string;
}

/** One authenticated request. Never holds a secret or a prompt. */
export interface AuditEntry {
  at: Date;
  keyId: string;
  route: string;
  model: string | null;
  status: number;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  requestId: string;
  clientIp: string | null;
}

export interface AuditQuery {
  keyId?: string;
  model?: string;
  status?: number;
  /** Inclusive lower bound on `at`. */
  from?: Date;
  /** Exclusive upper bound on `at`. */
  to?: Date;
  limit: number;
}

/** What a batch of finished requests adds: audit rows and usage counters, written together. */
export interface RequestBatch {
  audit: readonly AuditEntry[];
  /** May repeat a (key, day, model); the store adds them up. */
  usage: readonly UsageIncrement[];
}

export interface KeyStore {
  /** Rejects when the id or hash already exists. */
  create(record: ApiKeyRecord): Promise<void>;
  /**
   * Creates the key only if the store holds no key at all, atomically even when several processes
   * (proxy instances sharing PostgreSQL) try at once. Returns whether it was created.
   */
  createIfEmpty(record: ApiKeyRecord): Promise<boolean>;
  /** Matches the current hash, or the previous hash while `now` is before its grace end. */
  findByHash(hash: string, now: Date): Promise<ApiKeyRecord | null>;
  get(id: string): Promise<ApiKeyRecord | null>;
  /** Oldest first. */
  list(): Promise<ApiKeyRecord[]>;
  update(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | null>;
  /** Keeps the first revocation time when called again. */
  revoke(id: string, at: Date): Promise<ApiKeyRecord | null>;
  /** The current hash becomes the previous one, valid until graceUntil. */
  rotate(id: string, newHash: string, newPrefix: string, graceUntil: Date): Promise<ApiKeyRecord | null>;
  /** Records last use; never moves it backwards. */
  touch(id: string, at: Date): Promise<void>;
  count(): Promise<number>;
  /** Adds to the counters of (key, day, model), creating the row if needed. */
  recordUsage(increment: UsageIncrement): Promise<void>;
  /** Ordered by day, then model. */
  usage(keyId: string, query?: UsageQuery): Promise<UsageRow[]>;
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Audit rows and usage counters of many requests in one transaction (the request recorder's batch). */
  recordRequests(batch: RequestBatch): Promise<void>;
  /** Newest first. */
  queryAudit(query: AuditQuery): Promise<AuditEntry[]>;
  /** Deletes entries older than `before`; returns how many. */
  pruneAudit(before: Date): Promise<number>;
  /** Resolves when the database answers; rejects with the reason otherwise (readiness checks). */
  ping(): Promise<void>;
  /**
   * Tells the listener, well within a second, that some process (another instance, the CLI, plain SQL)
   * changed what a key may do: its secret, revocation, expiry, scopes, models or tier. Closed with the store.
   */
  watchChanges(listener: KeyChangeListener): KeyChangeWatch;
  close(): Promise<void>;
}

export interface KeyChangeListener {
  /** Keys may have changed elsewhere: forget what was cached. */
  changed(): void;
  /** false while changes elsewhere cannot be seen (the notification channel is down); true once they can again. */
  live?(isLive: boolean): void;
}

export interface KeyChangeWatch {
  close(): Promise<void>;
}

import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { KEY_STORE_MIGRATIONS } from './key-store-migrations.js';
import type {
  ApiKeyPatch, ApiKeyRecord, AuditEntry, AuditQuery, KeyChangeListener, KeyChangeWatch, KeyStore, RequestBatch,
  UsageIncrement, UsageQuery, UsageRow,
} from './key-store.js';
import { watchDataVersion } from './sqlite-key-change-watch.js';
import { mergeUsage } from './merge-usage.js';
import { EMPTY_RECORD, KEY_COLUMNS, fromAuditRow, fromKeyRow, toKeyRow, type AuditRow, type KeyRow } from './sqlite-key-rows.js';

type Database = BetterSqlite3.Database;
type Params = Record<string, string | number | null>;

export interface SqliteKeyStoreOptions {
  /** Database file, or ':memory:'. Created with mode 0600 (WAL/SHM files inherit it). */
  path: string;
}

/** better-sqlite3 is loaded only when this store is used, so PostgreSQL deployments never need it. */
export async function createSqliteKeyStore(options: SqliteKeyStoreOptions): Promise<KeyStore> {
  const { default: Database } = await import('better-sqlite3');
  if (options.path !== ':memory:') createPrivateFile(options.path);
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  // The CLI and the server may open the same file at once.
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return new SqliteKeyStore(db);
}

function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
}

function migrate(db: Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const apply = db.transaction(() => {
    const row = db.prepare<[], { version: number }>('SELECT version FROM schema_version').get();
    const current = row?.version ?? 0;
    KEY_STORE_MIGRATIONS.slice(current).forEach((migration) => db.exec(migration.sqlite));
    if (row === undefined) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(KEY_STORE_MIGRATIONS.length);
    else db.prepare('UPDATE schema_version SET version = ?').run(Math.max(current, KEY_STORE_MIGRATIONS.length));
  });
  // IMMEDIATE takes the write lock before reading the version, so two processes never both migrate.
  apply.immediate();
}

class SqliteKeyStore implements KeyStore {
  /** Statements on the request-recording path, compiled once. */
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private readonly watches = new Set<KeyChangeWatch>();

  constructor(private readonly db: Database) {}

  private statement(sql: string): BetterSqlite3.Statement {
    let prepared = this.statements.get(sql);
    if (prepared === undefined) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  async create(record: ApiKeyRecord): Promise<void> {
    this.insertKey(record);
  }

  async createIfEmpty(record: ApiKeyRecord): Promise<boolean> {
    const insertIfEmpty = this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM api_keys LIMIT 1').get() !== undefined) return false;
      this.insertKey(record);
      return true;
    });
    // IMMEDIATE takes the write lock before the check, so a second process waits and then sees the key.
    return insertIfEmpty.immediate();
  }

  async findByHash(hash: string, now: Date): Promise<ApiKeyRecord | null> {
    const row = this.db.prepare<Params, KeyRow>(`SELECT * FROM api_keys WHERE hash = @hash
      UNION ALL SELECT * FROM api_keys WHERE previous_hash = @hash AND previous_hash_expires_at > @now LIMIT 1`)
      .get({ hash, now: now.getTime() });
    return row ? fromKeyRow(row) : null;
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    const row = this.db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE id = ?').get(id);
    return row ? fromKeyRow(row) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.db.prepare<[], KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id').all().map(fromKeyRow);
  }

  async update(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | null> {
    const values = toKeyRow({ ...EMPTY_RECORD, ...patch });
    const fields = (Object.keys(KEY_COLUMNS) as Array<keyof ApiKeyPatch>).filter((field) => field in patch);
    if (fields.length > 0) {
      const assignments = fields.map((field) => `${KEY_COLUMNS[field]} = @${KEY_COLUMNS[field]}`).join(', ');
      const params = Object.fromEntries(fields.map((field) => [KEY_COLUMNS[field], values[KEY_COLUMNS[field]]]));
      this.db.prepare(`UPDATE api_keys SET ${assignments} WHERE id = @id`).run({ ...params, id });
    }
    return this.get(id);
  }

  async revoke(id: string, at: Date): Promise<ApiKeyRecord | null> {
    this.db.prepare('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(at.getTime(), id);
    return this.get(id);
  }

  async rotate(id: string, newHash: string, newPrefix: string, graceUntil: Date): Promise<ApiKeyRecord | null> {
    this.db.prepare(`UPDATE api_keys SET previous_hash = hash, previous_hash_expires_at = ?, hash = ?, prefix = ?
      WHERE id = ?`).run(graceUntil.getTime(), newHash, newPrefix, id);
    return this.get(id);
  }

  async touch(id: string, at: Date): Promise<void> {
    this.db.prepare('UPDATE api_keys SET last_used_at = MAX(COALESCE(last_used_at, 0), ?) WHERE id = ?').run(at.getTime(), id);
  }

  async count(): Promise<number> {
    return this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM api_keys').get()?.n ?? 0;
  }

  async recordUsage(increment: UsageIncrement): Promise<void> {
    this.addUsage(increment);
  }

  private addUsage(increment: UsageIncrement): void {
    this.statement(`INSERT INTO key_usage (key_id, day, model, requests, prompt_tokens, completion_tokens, cached_tokens)
      VALUES (@keyId, @day, @model, @requests, @promptTokens, @completionTokens, @cachedTokens)
      ON CONFLICT (key_id, day, model) DO UPDATE SET requests = requests + excluded.requests,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        cached_tokens = cached_tokens + excluded.cached_tokens`).run({ ...increment, cachedTokens: increment.cachedTokens ?? 0 });
  }

  async usage(keyId: string, query: UsageQuery = {}): Promise<UsageRow[]> {
    return this.db.prepare<Params, UsageRow>(`SELECT day, model, requests, prompt_tokens AS promptTokens,
      completion_tokens AS completionTokens, cached_tokens AS cachedTokens FROM key_usage WHERE key_id = @keyId
      AND (@from IS NULL OR day >= @from) AND (@to IS NULL OR day <= @to) ORDER BY day, model`)
      .all({ keyId, from: query.from ?? null, to: query.to ?? null });
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.insertAudit(entry);
  }

  async recordRequests(batch: RequestBatch): Promise<void> {
    // One transaction: one fsync for the whole batch instead of one per row.
    this.db.transaction(() => {
      for (const entry of batch.audit) this.insertAudit(entry);
      for (const increment of mergeUsage(batch.usage)) this.addUsage(increment);
    })();
  }

  async queryAudit(query: AuditQuery): Promise<AuditEntry[]> {
    const rows = this.db.prepare<Params, AuditRow>(`SELECT * FROM audit_log WHERE (@keyId IS NULL OR key_id = @keyId)
      AND (@model IS NULL OR model = @model) AND (@status IS NULL OR status = @status)
      AND (@from IS NULL OR at >= @from) AND (@to IS NULL OR at < @to) ORDER BY at DESC, id DESC LIMIT @limit`)
      .all({
        keyId: query.keyId ?? null, model: query.model ?? null, status: query.status ?? null,
        from: query.from?.getTime() ?? null, to: query.to?.getTime() ?? null, limit: query.limit,
      });
    return rows.map(fromAuditRow);
  }

  async pruneAudit(before: Date): Promise<number> {
    return this.db.prepare('DELETE FROM audit_log WHERE at < ?').run(before.getTime()).changes;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  watchChanges(listener: KeyChangeListener): KeyChangeWatch {
    const watch = watchDataVersion(this.db, listener);
    this.watches.add(watch);
    return {
      close: async () => {
        this.watches.delete(watch);
        await watch.close();
      },
    };
  }

  async close(): Promise<void> {
    for (const watch of this.watches) await watch.close();
    this.watches.clear();
    this.db.close();
  }

  private insertKey(record: ApiKeyRecord): void {
    this.db.prepare(`INSERT INTO api_keys VALUES (@id, @name, @hash, @prefix, @scopes, @models, @tier, @metadata,
      @created_at, @expires_at, @revoked_at, @last_used_at, @previous_hash, @previous_hash_expires_at, @limits)`).run(toKeyRow(record));
  }

  private insertAudit(entry: AuditEntry): void {
    this.statement(`INSERT INTO audit_log (at, key_id, route, model, status, prompt_tokens, completion_tokens,
      latency_ms, request_id, client_ip) VALUES (@at, @keyId, @route, @model, @status, @promptTokens,
      @completionTokens, @latencyMs, @requestId, @clientIp)`).run({ ...entry, at: entry.at.getTime() });
  }
}

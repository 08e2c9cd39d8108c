import pg from 'pg';
import { KEY_STORE_MIGRATIONS } from './key-store-migrations.js';
import type {
  ApiKeyPatch, ApiKeyRecord, AuditEntry, AuditQuery, KeyChangeListener, KeyChangeWatch, KeyStore, RequestBatch,
  UsageIncrement, UsageQuery, UsageRow,
} from './key-store.js';
import { KEY_CHANGE_TRIGGER_SQL, watchPostgresKeyChanges } from './postgres-key-change-watch.js';
import { mergeUsage } from './merge-usage.js';
import {
  ADD_USAGE_BATCH, INSERT_AUDIT_BATCH, INSERT_KEY, KEY_COLUMNS, auditColumns, fromAuditRow, fromKeyRow, keyValues,
  toColumnValue, usageColumns, type AuditRow, type KeyRow,
} from './postgres-key-rows.js';

export interface PostgresKeyStoreOptions {
  connectionString: string;
  /** Schema to create and use instead of the connection's default search_path. */
  schema?: string;
  maxConnections?: number;
  /** Errors of idle pooled connections (e.g. the server restarted); queries still fail on their own. */
  onError?: (error: Error) => void;
}

export async function createPostgresKeyStore(options: PostgresKeyStoreOptions): Promise<KeyStore> {
  const connection: pg.ClientConfig = {
    connectionString: options.connectionString,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${quoteIdentifier(options.schema)}` }),
  };
  const pool = new pg.Pool({ ...connection, max: options.maxConnections ?? 10 });
  // Without a listener, an idle connection dropped by the server would crash the process.
  pool.on('error', options.onError ?? (() => undefined));
  try {
    await migrate(pool, options.schema);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresKeyStore(pool, connection, options.onError);
}

// Several instances may start together: a transaction-scoped advisory lock (keyed by schema) makes the
// first one migrate while the others wait, then find nothing left to do.
async function migrate(pool: pg.Pool, schema: string | undefined): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('ollama-openai-proxy:key-store:' || $1))", [schema ?? '']);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const result = await client.query<{ version: number }>('SELECT version FROM schema_version');
    const current = result.rows[0]?.version ?? 0;
    for (const migration of KEY_STORE_MIGRATIONS.slice(current)) await client.query(migration.postgres);
    const latest = Math.max(current, KEY_STORE_MIGRATIONS.length);
    if (result.rows.length === 0) await client.query('INSERT INTO schema_version (version) VALUES ($1)', [latest]);
    else await client.query('UPDATE schema_version SET version = $1', [latest]);
    await client.query(KEY_CHANGE_TRIGGER_SQL);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

class PostgresKeyStore implements KeyStore {
  private readonly watches = new Set<KeyChangeWatch>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly connection: pg.ClientConfig,
    private readonly onError: ((error: Error) => void) | undefined,
  ) {}

  async create(record: ApiKeyRecord): Promise<void> {
    await this.pool.query(INSERT_KEY, keyValues(record));
  }

  // Instances starting together against an empty database: a transaction-scoped advisory lock (per schema)
  // lets exactly one of them create the first admin key; the others then see it and create nothing.
  async createIfEmpty(record: ApiKeyRecord): Promise<boolean> {
    return this.transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('ollama-openai-proxy:first-key:' || current_schema()))");
      const existing = await client.query('SELECT 1 FROM api_keys LIMIT 1');
      if (existing.rows.length > 0) return false;
      await client.query(INSERT_KEY, keyValues(record));
      return true;
    });
  }

  async findByHash(hash: string, now: Date): Promise<ApiKeyRecord | null> {
    return this.one(`SELECT * FROM api_keys WHERE hash = $1
      UNION ALL SELECT * FROM api_keys WHERE previous_hash = $1 AND previous_hash_expires_at > $2 LIMIT 1`, [hash, now]);
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    return this.one('SELECT * FROM api_keys WHERE id = $1', [id]);
  }

  async list(): Promise<ApiKeyRecord[]> {
    const result = await this.pool.query<KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id');
    return result.rows.map(fromKeyRow);
  }

  async update(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | null> {
    const fields = (Object.keys(KEY_COLUMNS) as Array<keyof ApiKeyPatch>).filter((field) => field in patch);
    if (fields.length === 0) return this.get(id);
    const assignments = fields.map((field, index) => `${KEY_COLUMNS[field]} = $${index + 2}`).join(', ');
    const values = fields.map((field) => toColumnValue(field, patch));
    return this.one(`UPDATE api_keys SET ${assignments} WHERE id = $1 RETURNING *`, [id, ...values]);
  }

  async revoke(id: string, at: Date): Promise<ApiKeyRecord | null> {
    return this.one('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING *', [id, at]);
  }

  async rotate(id: string, newHash: string, newPrefix: string, graceUntil: Date): Promise<ApiKeyRecord | null> {
    return this.one(`UPDATE api_keys SET previous_hash = hash, previous_hash_expires_at = $2, hash = $3, prefix = $4
      WHERE id = $1 RETURNING *`, [id, graceUntil, newHash, newPrefix]);
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.pool.query(
      'UPDATE api_keys SET last_used_at = GREATEST(last_used_at, $2) WHERE id = $1', [id, at]);
  }

  async count(): Promise<number> {
    const result = await this.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM api_keys');
    return Number(result.rows[0]?.n ?? 0);
  }

  async recordUsage(increment: UsageIncrement): Promise<void> {
    await this.pool.query(`INSERT INTO key_usage (key_id, day, model, requests, prompt_tokens, completion_tokens, cached_tokens)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (key_id, day, model) DO UPDATE SET requests = key_usage.requests + excluded.requests,
        prompt_tokens = key_usage.prompt_tokens + excluded.prompt_tokens,
        completion_tokens = key_usage.completion_tokens + excluded.completion_tokens,
        cached_tokens = key_usage.cached_tokens + excluded.cached_tokens`, [
      increment.keyId, increment.day, increment.model, increment.requests, increment.promptTokens,
      increment.completionTokens, increment.cachedTokens ?? 0,
    ]);
  }

  async usage(keyId: string, query: UsageQuery = {}): Promise<UsageRow[]> {
    const result = await this.pool.query<{ day: string; model: string; requests: string; p: string; c: string; k: string }>(
      `SELECT day, model, requests, prompt_tokens AS p, completion_tokens AS c, cached_tokens AS k FROM key_usage WHERE key_id = $1
       AND ($2::text IS NULL OR day >= $2) AND ($3::text IS NULL OR day <= $3) ORDER BY day, model`,
      [keyId, query.from ?? null, query.to ?? null]);
    return result.rows.map((row) => ({
      day: row.day, model: row.model, requests: Number(row.requests), promptTokens: Number(row.p),
      completionTokens: Number(row.c), cachedTokens: Number(row.k),
    }));
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.pool.query(`INSERT INTO audit_log (at, key_id, route, model, status, prompt_tokens,
      completion_tokens, latency_ms, request_id, client_ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
      entry.at, entry.keyId, entry.route, entry.model, entry.status, entry.promptTokens, entry.completionTokens,
      entry.latencyMs, entry.requestId, entry.clientIp,
    ]);
  }

  // unnest() turns column arrays into rows: one statement per table, whatever the batch size.
  async recordRequests(batch: RequestBatch): Promise<void> {
    const usage = mergeUsage(batch.usage);
    if (batch.audit.length === 0 && usage.length === 0) return;
    await this.transaction(async (client) => {
      if (batch.audit.length > 0) await client.query(INSERT_AUDIT_BATCH, auditColumns(batch.audit));
      if (usage.length > 0) await client.query(ADD_USAGE_BATCH, usageColumns(usage));
    });
  }

  async queryAudit(query: AuditQuery): Promise<AuditEntry[]> {
    const result = await this.pool.query<AuditRow>(`SELECT * FROM audit_log WHERE ($1::text IS NULL OR key_id = $1)
      AND ($2::text IS NULL OR model = $2) AND ($3::int IS NULL OR status = $3)
      AND ($4::timestamptz IS NULL OR at >= $4) AND ($5::timestamptz IS NULL OR at < $5)
      ORDER BY at DESC, id DESC LIMIT $6`, [
      query.keyId ?? null, query.model ?? null, query.status ?? null, query.from ?? null, query.to ?? null,
      query.limit,
    ]);
    return result.rows.map(fromAuditRow);
  }

  async pruneAudit(before: Date): Promise<number> {
    const result = await this.pool.query('DELETE FROM audit_log WHERE at < $1', [before]);
    return result.rowCount ?? 0;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  watchChanges(listener: KeyChangeListener): KeyChangeWatch {
    const watch = watchPostgresKeyChanges(listener, { client: this.connection, ...(this.onError ? { onError: this.onError } : {}) });
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
    await this.pool.end();
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async one(sql: string, params: unknown[]): Promise<ApiKeyRecord | null> {
    const result = await this.pool.query<KeyRow>(sql, params);
    const row = result.rows[0];
    return row ? fromKeyRow(row) : null;
  }
}

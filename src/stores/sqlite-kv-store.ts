import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { KvStoreClosedError, toTtlMs, type KvStore } from './kv-store.js';

type Database = BetterSqlite3.Database;
type Params = Record<string, string | number | null>;

export interface SqliteKvStoreOptions {
  /** Database file, or ':memory:'. A new file is created with mode 0600 (SQLite gives WAL/SHM files the same). */
  path: string;
  /** Wall clock in ms; expiry deadlines are stored as absolute times so they survive restarts. */
  now?: () => number;
  /** Expired rows are ignored on read at once, and deleted by a write at most this often. Default 60 s. */
  sweepIntervalMs?: number;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  expires_at INTEGER NULL
)`;

/** better-sqlite3 is a native module, so it is loaded only when this adapter is chosen. */
export async function createSqliteKvStore(options: SqliteKvStoreOptions): Promise<KvStore> {
  const { default: Database } = await import('better-sqlite3');
  if (options.path !== ':memory:') createPrivateFile(options.path);
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  // Another process (a second proxy instance, the CLI) may hold the write lock for a moment.
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return new SqliteKvStore(db, options.now ?? (() => Date.now()), options.sweepIntervalMs ?? 60_000);
}

function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
}

function prepareStatements(db: Database) {
  return {
    get: db.prepare<Params, { value: string }>(`SELECT value FROM kv WHERE key = @key AND (expires_at IS NULL OR expires_at > @now)`),
    set: db.prepare<Params>(`INSERT INTO kv (key, value, expires_at) VALUES (@key, @value, @expiresAt)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`),
    // One statement, so it is atomic across connections too: an expired row counts as absent and is replaced.
    setIfAbsent: db.prepare<Params>(`INSERT INTO kv (key, value, expires_at) VALUES (@key, @value, @expiresAt)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
      WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= @now`),
    delete: db.prepare<Params>('DELETE FROM kv WHERE key = @key'),
    sweep: db.prepare<Params>('DELETE FROM kv WHERE expires_at <= @now'),
    ping: db.prepare<[], { value: number }>('SELECT 1 AS value'),
  };
}

class SqliteKvStore implements KvStore {
  readonly kind = 'sqlite' as const;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private isClosed = false;
  private lastSweepAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
    private readonly sweepIntervalMs: number,
  ) {
    this.statements = prepareStatements(db);
  }

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    return this.statements.get.get({ key, now: this.now() })?.value;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.assertOpen();
    const now = this.now();
    this.statements.set.run({ key, value, expiresAt: this.deadline(now, ttlMs) });
    this.sweepIfDue(now);
  }

  async delete(key: string): Promise<void> {
    this.assertOpen();
    this.statements.delete.run({ key });
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    this.assertOpen();
    const now = this.now();
    const { changes } = this.statements.setIfAbsent.run({ key, value, expiresAt: this.deadline(now, ttlMs), now });
    this.sweepIfDue(now);
    return changes > 0;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    this.statements.ping.get();
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.db.close();
  }

  private deadline(now: number, ttlMs: number | undefined): number | null {
    const ttl = toTtlMs(ttlMs);
    return ttl === undefined ? null : now + ttl;
  }

  private sweepIfDue(now: number): void {
    if (now - this.lastSweepAt < this.sweepIntervalMs) return;
    this.lastSweepAt = now;
    this.statements.sweep.run({ now });
  }

  private assertOpen(): void {
    if (this.isClosed) throw new KvStoreClosedError(this.kind);
  }
}

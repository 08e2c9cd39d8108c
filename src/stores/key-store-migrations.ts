// Schema of the key store, one entry per version, applied in order and recorded in `schema_version`.
// To change the schema, append an entry (never edit a shipped one); both adapters pick it up at start.

export interface KeyStoreMigration {
  description: string;
  sqlite: string;
  postgres: string;
}

export const KEY_STORE_MIGRATIONS: readonly KeyStoreMigration[] = [
  {
    description: 'api keys, usage counters, audit log',
    sqlite: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
        scopes TEXT NOT NULL, models TEXT, tier TEXT, metadata TEXT NOT NULL,
        created_at INTEGER NOT NULL, expires_at INTEGER, revoked_at INTEGER, last_used_at INTEGER,
        previous_hash TEXT, previous_hash_expires_at INTEGER);
      CREATE INDEX api_keys_previous_hash ON api_keys (previous_hash);
      CREATE TABLE key_usage (
        key_id TEXT NOT NULL, day TEXT NOT NULL, model TEXT NOT NULL,
        requests INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
        PRIMARY KEY (key_id, day, model));
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, key_id TEXT NOT NULL, route TEXT NOT NULL,
        model TEXT, status INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
        latency_ms REAL NOT NULL, request_id TEXT NOT NULL, client_ip TEXT);
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE INDEX audit_log_key_at ON audit_log (key_id, at);`,
    postgres: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
        scopes JSONB NOT NULL, models JSONB, tier TEXT, metadata JSONB NOT NULL,
        created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ, revoked_at TIMESTAMPTZ, last_used_at TIMESTAMPTZ,
        previous_hash TEXT, previous_hash_expires_at TIMESTAMPTZ);
      CREATE INDEX api_keys_previous_hash ON api_keys (previous_hash);
      CREATE TABLE key_usage (
        key_id TEXT NOT NULL, day TEXT NOT NULL, model TEXT NOT NULL,
        requests BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL,
        PRIMARY KEY (key_id, day, model));
      CREATE TABLE audit_log (
        id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL, key_id TEXT NOT NULL, route TEXT NOT NULL,
        model TEXT, status INTEGER NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL,
        latency_ms DOUBLE PRECISION NOT NULL, request_id TEXT NOT NULL, client_ip TEXT);
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE INDEX audit_log_key_at ON audit_log (key_id, at);`,
  },
  {
    description: 'per-key rate-limit overrides',
    sqlite: 'ALTER TABLE api_keys ADD COLUMN limits TEXT;',
    postgres: 'ALTER TABLE api_keys ADD COLUMN limits JSONB;',
  },
  {
    description: 'cached prompt tokens per usage counter',
    sqlite: 'ALTER TABLE key_usage ADD COLUMN cached_tokens INTEGER NOT NULL DEFAULT 0;',
    postgres: 'ALTER TABLE key_usage ADD COLUMN cached_tokens BIGINT NOT NULL DEFAULT 0;',
  },
];

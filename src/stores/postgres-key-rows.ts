// Row shapes and parameter lists of the PostgreSQL key store: how records map to columns and back.
import type { ApiKeyPatch, ApiKeyRecord, AuditEntry, UsageIncrement } from './key-store.js';

export interface KeyRow {
  id: string; name: string; hash: string; prefix: string; scopes: string[]; models: string[] | null;
  tier: string | null; metadata: Record<string, unknown>; created_at: Date; expires_at: Date | null;
  revoked_at: Date | null; last_used_at: Date | null; previous_hash: string | null;
  previous_hash_expires_at: Date | null; limits: Record<string, number> | null;
}

export interface AuditRow {
  at: Date; key_id: string; route: string; model: string | null; status: number; prompt_tokens: string;
  completion_tokens: string; latency_ms: number; request_id: string; client_ip: string | null;
}

export const KEY_COLUMNS: Record<keyof ApiKeyPatch, string> = {
  name: 'name', scopes: 'scopes', models: 'models', tier: 'tier', metadata: 'metadata', expiresAt: 'expires_at',
  limits: 'limits',
};

export const INSERT_KEY = 'INSERT INTO api_keys VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)';

export const INSERT_AUDIT_BATCH = `INSERT INTO audit_log (at, key_id, route, model, status, prompt_tokens, completion_tokens,
  latency_ms, request_id, client_ip) SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[],
  $5::int[], $6::bigint[], $7::bigint[], $8::float8[], $9::text[], $10::text[])`;

export const ADD_USAGE_BATCH = `INSERT INTO key_usage (key_id, day, model, requests, prompt_tokens, completion_tokens, cached_tokens)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
  ON CONFLICT (key_id, day, model) DO UPDATE SET requests = key_usage.requests + excluded.requests,
  prompt_tokens = key_usage.prompt_tokens + excluded.prompt_tokens,
  completion_tokens = key_usage.completion_tokens + excluded.completion_tokens,
  cached_tokens = key_usage.cached_tokens + excluded.cached_tokens`;

export function keyValues(record: ApiKeyRecord): unknown[] {
  return [
    record.id, record.name, record.hash, record.prefix, JSON.stringify(record.scopes), toJson(record.models),
    record.tier, JSON.stringify(record.metadata), record.createdAt, record.expiresAt, record.revokedAt,
    record.lastUsedAt, record.previousHash, record.previousHashExpiresAt, toJson(record.limits),
  ];
}

export function auditColumns(entries: readonly AuditEntry[]): unknown[][] {
  return [
    entries.map((e) => e.at), entries.map((e) => e.keyId), entries.map((e) => e.route), entries.map((e) => e.model),
    entries.map((e) => e.status), entries.map((e) => e.promptTokens), entries.map((e) => e.completionTokens),
    entries.map((e) => e.latencyMs), entries.map((e) => e.requestId), entries.map((e) => e.clientIp),
  ];
}

export function usageColumns(increments: readonly UsageIncrement[]): unknown[][] {
  return [
    increments.map((u) => u.keyId), increments.map((u) => u.day), increments.map((u) => u.model),
    increments.map((u) => u.requests), increments.map((u) => u.promptTokens), increments.map((u) => u.completionTokens),
    increments.map((u) => u.cachedTokens ?? 0),
  ];
}

// node-postgres would send a JS array as a Postgres array, not JSON: serialise JSONB values ourselves.
function toJson(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

export function toColumnValue(field: keyof ApiKeyPatch, patch: ApiKeyPatch): unknown {
  const value = patch[field];
  return field === 'expiresAt' || field === 'name' || field === 'tier' ? value : toJson(value ?? null);
}

export function fromKeyRow(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id, name: row.name, hash: row.hash, prefix: row.prefix, scopes: row.scopes, models: row.models,
    tier: row.tier, limits: row.limits ?? null, metadata: row.metadata, createdAt: row.created_at, expiresAt: row.expires_at,
    revokedAt: row.revoked_at, lastUsedAt: row.last_used_at, previousHash: row.previous_hash,
    previousHashExpiresAt: row.previous_hash_expires_at,
  };
}

export function fromAuditRow(row: AuditRow): AuditEntry {
  return {
    at: row.at, keyId: row.key_id, route: row.route, model: row.model, status: row.status,
    promptTokens: Number(row.prompt_tokens), completionTokens: Number(row.completion_tokens),
    latencyMs: row.latency_ms, requestId: row.request_id, clientIp: row.client_ip,
  };
}

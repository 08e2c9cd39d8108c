// Row shapes of the SQLite key store: times as epoch milliseconds, lists and objects as JSON text.
import type { ApiKeyPatch, ApiKeyRecord, AuditEntry } from './key-store.js';

export interface KeyRow {
  id: string; name: string; hash: string; prefix: string; scopes: string; models: string | null;
  tier: string | null; metadata: string; created_at: number; expires_at: number | null;
  revoked_at: number | null; last_used_at: number | null; previous_hash: string | null;
  previous_hash_expires_at: number | null; limits: string | null;
}

export interface AuditRow {
  at: number; key_id: string; route: string; model: string | null; status: number; prompt_tokens: number;
  completion_tokens: number; latency_ms: number; request_id: string; client_ip: string | null;
}

export const KEY_COLUMNS: Record<keyof ApiKeyPatch, keyof KeyRow> = {
  name: 'name', scopes: 'scopes', models: 'models', tier: 'tier', metadata: 'metadata', expiresAt: 'expires_at',
  limits: 'limits',
};

export const EMPTY_RECORD: ApiKeyRecord = {
  id: '', name: '', hash: '', prefix: '', scopes: [], models: null, tier: null, limits: null, metadata: {},
  createdAt: new Date(0), expiresAt: null, revokedAt: null, lastUsedAt: null, previousHash: null,
  previousHashExpiresAt: null,
};

export function toKeyRow(record: ApiKeyRecord): KeyRow {
  return {
    id: record.id, name: record.name, hash: record.hash, prefix: record.prefix,
    scopes: JSON.stringify(record.scopes), models: record.models === null ? null : JSON.stringify(record.models),
    tier: record.tier, metadata: JSON.stringify(record.metadata), created_at: record.createdAt.getTime(),
    expires_at: toMillis(record.expiresAt), revoked_at: toMillis(record.revokedAt),
    last_used_at: toMillis(record.lastUsedAt), previous_hash: record.previousHash,
    previous_hash_expires_at: toMillis(record.previousHashExpiresAt),
    limits: record.limits === null ? null : JSON.stringify(record.limits),
  };
}

export function fromKeyRow(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id, name: row.name, hash: row.hash, prefix: row.prefix, scopes: parseStrings(row.scopes),
    models: row.models === null ? null : parseStrings(row.models), tier: row.tier,
    limits: row.limits === null || row.limits === undefined ? null : parseNumbers(row.limits),
    metadata: parseObject(row.metadata), createdAt: new Date(row.created_at), expiresAt: toDate(row.expires_at),
    revokedAt: toDate(row.revoked_at), lastUsedAt: toDate(row.last_used_at), previousHash: row.previous_hash,
    previousHashExpiresAt: toDate(row.previous_hash_expires_at),
  };
}

export function fromAuditRow(row: AuditRow): AuditEntry {
  return {
    at: new Date(row.at), keyId: row.key_id, route: row.route, model: row.model, status: row.status,
    promptTokens: row.prompt_tokens, completionTokens: row.completion_tokens, latencyMs: row.latency_ms,
    requestId: row.request_id, clientIp: row.client_ip,
  };
}

const toMillis = (date: Date | null): number | null => (date === null ? null : date.getTime());
const toDate = (millis: number | null): Date | null => (millis === null ? null : new Date(millis));

function parseStrings(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function parseNumbers(text: string): Record<string, number> {
  return Object.fromEntries(Object.entries(parseObject(text)).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
}

function parseObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
}

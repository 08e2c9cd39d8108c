import type { RateLimitOverrides, Scope } from '../core/principal.js';
import { toLimitsJson } from './key-limits.js';
import type { ApiKeyRecord } from '../stores/key-store.js';
import { isScope } from './scopes.js';

export type KeyStatus = 'active' | 'expired' | 'revoked';

/** What callers outside the access layer see of a key: everything but the hashes. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  models: string[] | null;
  tier: string | null;
  /** Rate limits of this key that override its tier's (camelCase tier field names). */
  limits: RateLimitOverrides | null;
  metadata: Record<string, unknown>;
  status: KeyStatus;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** After a rotation: until when the previous secret is still accepted. */
  previousSecretValidUntil: Date | null;
}

/** The JSON shape shared by the admin API and `--json` CLI output. */
export interface ApiKeyJson {
  id: string;
  object: 'api_key';
  name: string;
  prefix: string;
  scopes: Scope[];
  models: string[] | null;
  tier: string | null;
  /** snake_case like the rest of the admin API: requests_per_minute, tokens_per_day, … */
  limits: Record<string, number> | null;
  metadata: Record<string, unknown>;
  status: KeyStatus;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  previous_secret_valid_until: string | null;
}

export function keyStatus(record: Pick<ApiKeyRecord, 'revokedAt' | 'expiresAt'>, now: Date): KeyStatus {
  if (record.revokedAt !== null) return 'revoked';
  if (record.expiresAt !== null && record.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

export function toApiKeyView(record: ApiKeyRecord, now: Date): ApiKeyView {
  const grace = record.previousHashExpiresAt;
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    scopes: record.scopes.filter(isScope),
    models: record.models,
    tier: record.tier,
    limits: record.limits as RateLimitOverrides | null,
    metadata: record.metadata,
    status: keyStatus(record, now),
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    revokedAt: record.revokedAt,
    lastUsedAt: record.lastUsedAt,
    previousSecretValidUntil: grace !== null && grace.getTime() > now.getTime() ? grace : null,
  };
}

export function toApiKeyJson(view: ApiKeyView): ApiKeyJson {
  return {
    id: view.id,
    object: 'api_key',
    name: view.name,
    prefix: view.prefix,
    scopes: view.scopes,
    models: view.models,
    tier: view.tier,
    limits: view.limits === null ? null : toLimitsJson(view.limits),
    metadata: view.metadata,
    status: view.status,
    created_at: view.createdAt.toISOString(),
    expires_at: toIso(view.expiresAt),
    revoked_at: toIso(view.revokedAt),
    last_used_at: toIso(view.lastUsedAt),
    previous_secret_valid_until: toIso(view.previousSecretValidUntil),
  };
}

const toIso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

import { z } from 'zod';
import type { KeySettingsInput } from '../../access/key-input.js';
import { fromLimitsJson } from '../../access/key-limits.js';
import type { UsageRow } from '../../access/key-service.js';
import type { AuditEntry, AuditQuery } from '../../access/request-recorder.js';

// Wire shapes of the admin API (snake_case JSON, like the OpenAI API around it). Field values are validated
// further by the key service (scope names, model patterns, durations), which names the offending `param`.

const stringList = z.union([z.array(z.string()), z.string()]);
const timestamp = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

const keySettings = {
  name: z.string(),
  scopes: stringList,
  models: z.union([stringList, z.null()]),
  /** Lifetime from now: '72h', '30d'; null removes the expiry. */
  expires_in: z.string().nullable(),
  expires_at: timestamp.nullable(),
  tier: z.string().nullable(),
  /** The key's own rate limits (snake_case tier fields: requests_per_minute, tokens_per_day, …); null removes them. */
  limits: z.record(z.string(), z.unknown()).nullable(),
  metadata: z.record(z.string(), z.unknown()),
};

export const createKeyBody = z.strictObject({
  ...keySettings,
  models: keySettings.models.optional(),
  expires_in: keySettings.expires_in.optional(),
  expires_at: keySettings.expires_at.optional(),
  tier: keySettings.tier.optional(),
  limits: keySettings.limits.optional(),
  metadata: keySettings.metadata.optional(),
});

export const updateKeyBody = z.strictObject(keySettings).partial();

export const rotateKeyBody = z.strictObject({
  /** How long the old secret keeps working: '1h', '72h'; '0' ends it now. Default: KEY_ROTATION_GRACE_HOURS. */
  grace_period: z.string().optional(),
});

/** Client credentials. Extra OAuth fields such as grant_type are ignored. */
export const tokenRequestBody = z.object({ client_id: z.string().min(1), secret: z.string().min(1) });

export const usageQuery = z.object({ from: z.string().optional(), to: z.string().optional() });

export const auditQuery = z.object({
  key_id: z.string().optional(),
  model: z.string().optional(),
  status: z.coerce.number().int().min(100).max(599).optional(),
  from: timestamp.optional(),
  to: timestamp.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

type KeySettingsWire = z.output<typeof updateKeyBody>;

export function toKeySettingsInput(wire: KeySettingsWire): KeySettingsInput {
  const input: KeySettingsInput = {};
  if (wire.name !== undefined) input.name = wire.name;
  if (wire.scopes !== undefined) input.scopes = wire.scopes;
  if (wire.models !== undefined) input.models = wire.models;
  if (wire.expires_in !== undefined) input.expiresIn = wire.expires_in;
  if (wire.expires_at !== undefined) input.expiresAt = wire.expires_at;
  if (wire.tier !== undefined) input.tier = wire.tier;
  if (wire.limits !== undefined) input.limits = wire.limits === null ? null : fromLimitsJson(wire.limits);
  if (wire.metadata !== undefined) input.metadata = wire.metadata;
  return input;
}

export function toAuditQuery(wire: z.output<typeof auditQuery>): AuditQuery {
  const query: AuditQuery = { limit: wire.limit };
  if (wire.key_id !== undefined) query.keyId = wire.key_id;
  if (wire.model !== undefined) query.model = wire.model;
  if (wire.status !== undefined) query.status = wire.status;
  if (wire.from !== undefined) query.from = wire.from;
  if (wire.to !== undefined) query.to = wire.to;
  return query;
}

export function toUsageJson(row: UsageRow) {
  return {
    day: row.day,
    // Requests that name no model (model lists, admin calls) are counted under null.
    model: row.model === '' ? null : row.model,
    requests: row.requests,
    prompt_tokens: row.promptTokens,
    completion_tokens: row.completionTokens,
    total_tokens: row.promptTokens + row.completionTokens,
    cached_tokens: row.cachedTokens ?? 0,
  };
}

export function toAuditJson(entry: AuditEntry) {
  return {
    object: 'audit_entry' as const,
    at: entry.at.toISOString(),
    key_id: entry.keyId,
    route: entry.route,
    model: entry.model,
    status: entry.status,
    prompt_tokens: entry.promptTokens,
    completion_tokens: entry.completionTokens,
    latency_ms: entry.latencyMs,
    request_id: entry.requestId,
    client_ip: entry.clientIp,
  };
}

import { InvalidRequestError } from '../core/errors.js';
import type { RateLimitOverrides } from '../core/principal.js';
import type { ApiKeyPatch } from '../stores/key-store.js';
import { parseDuration } from './duration.js';
import { parseLimits } from './key-limits.js';
import { parseModelPatterns } from './model-access.js';
import { parseScopes } from './scopes.js';

// Validation of key settings as users give them (CLI flags or admin API fields), shared by create and update.

export interface KeySettingsInput {
  name?: string;
  /** 'chat,embeddings' or ['chat', 'embeddings']. */
  scopes?: string | readonly string[];
  /** Names or globs; null or omitted means every model. */
  models?: string | readonly string[] | null;
  /** '72h', '30d', …; null removes the expiry. */
  expiresIn?: string | null;
  /** An absolute expiry; null removes it. Ignored when expiresIn is given. */
  expiresAt?: Date | null;
  tier?: string | null;
  /** The key's own rate limits by tier field name (camelCase); replaces the previous set; null removes them. */
  limits?: Record<string, unknown> | null;
  metadata?: Record<string, unknown>;
}

export interface CreateKeyInput extends KeySettingsInput {
  name: string;
  scopes: string | readonly string[];
}

const MAX_NAME_LENGTH = 100;
const MAX_METADATA_BYTES = 8_192;

/** Turns user input into a store patch; throws InvalidRequestError naming the offending field. */
export function toKeyPatch(input: KeySettingsInput, now: Date): ApiKeyPatch {
  const patch: ApiKeyPatch = {};
  if (input.name !== undefined) patch.name = parseName(input.name);
  if (input.scopes !== undefined) patch.scopes = parseRequiredScopes(input.scopes);
  if (input.models !== undefined) patch.models = input.models === null ? null : parseModelPatterns(input.models);
  if (input.tier !== undefined) patch.tier = parseTier(input.tier);
  if (input.limits !== undefined) patch.limits = input.limits === null ? null : nullIfEmpty(parseLimits(input.limits));
  if (input.metadata !== undefined) patch.metadata = parseMetadata(input.metadata);
  const expiresAt = parseExpiry(input, now);
  if (expiresAt !== undefined) patch.expiresAt = expiresAt;
  return patch;
}

function nullIfEmpty(limits: RateLimitOverrides): Record<string, number> | null {
  return Object.keys(limits).length === 0 ? null : { ...limits };
}

function parseName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > MAX_NAME_LENGTH) {
    throw new InvalidRequestError(`A key name must be 1 to ${MAX_NAME_LENGTH} characters.`, 'name');
  }
  return trimmed;
}

function parseRequiredScopes(input: string | readonly string[]): string[] {
  const scopes = parseScopes(input);
  if (scopes.length === 0) throw new InvalidRequestError('A key needs at least one scope.', 'scopes');
  return scopes;
}

function parseTier(tier: string | null): string | null {
  if (tier === null) return null;
  const trimmed = tier.trim();
  if (trimmed === '') throw new InvalidRequestError('A tier name must not be empty.', 'tier');
  return trimmed;
}

function parseMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new InvalidRequestError('Metadata must be a JSON object.', 'metadata');
  }
  if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
    throw new InvalidRequestError(`Metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON.`, 'metadata');
  }
  return metadata;
}

function parseExpiry(input: KeySettingsInput, now: Date): Date | null | undefined {
  if (input.expiresIn !== undefined) {
    return input.expiresIn === null ? null : new Date(now.getTime() + parseDuration(input.expiresIn, 'expires_in'));
  }
  if (input.expiresAt === undefined || input.expiresAt === null) return input.expiresAt;
  if (Number.isNaN(input.expiresAt.getTime()) || input.expiresAt.getTime() <= now.getTime()) {
    throw new InvalidRequestError('The expiry must be a valid time in the future.', 'expires_at');
  }
  return input.expiresAt;
}

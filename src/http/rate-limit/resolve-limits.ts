import { ipKeyGenerator } from 'express-rate-limit';
import { rateLimitTierSchema, type Config, type RateLimitTier } from '../../config/config-schema.js';
import type { Principal, RateLimitOverrides } from '../../core/principal.js';

export interface ResolvedLimits extends RateLimitTier {
  /** The tier the limits came from (before the key's own overrides). */
  tier: string;
}

export type LimitResolver = (principal: Principal | undefined) => ResolvedLimits;

/** The tier of MASTER_KEY: unlimited unless CONFIG_FILE defines `rateLimit.tiers.master` (like LiteLLM's master key). */
export const MASTER_TIER = 'master';

/** Whether MASTER_KEY runs without any limit under this configuration. */
export function isUnlimitedMaster(config: Config['rateLimit']): (principal: Principal | undefined) => boolean {
  if (config.tiers[MASTER_TIER] !== undefined) return () => false;
  return (principal) => principal?.kind === 'master';
}

/**
 * A key's limits: its tier from CONFIG_FILE (unknown or absent tier → `defaultTier`; a default tier that is
 * not configured → the schema's defaults), then the key's own overrides field by field. Tiers are resolved
 * once at start-up; only keys with overrides cost a merge per request.
 */
export function createLimitResolver(config: Config['rateLimit']): LimitResolver {
  const fallback: ResolvedLimits = Object.freeze({ ...rateLimitTierSchema.parse({}), tier: config.defaultTier });
  const tiers = new Map<string, ResolvedLimits>(
    Object.entries(config.tiers).map(([name, tier]) => [name, Object.freeze({ ...tier, tier: name })]),
  );
  const defaultTier = tiers.get(config.defaultTier) ?? fallback;
  const masterTier = tiers.get(MASTER_TIER);
  return (principal) => {
    // The operator's own key has its own tier (unlimited unless configured; rate-limits.ts skips it then).
    if (principal?.kind === 'master' && masterTier !== undefined) return masterTier;
    const base = (principal?.tier === undefined ? undefined : tiers.get(principal.tier)) ?? defaultTier;
    return principal?.limits ? withOverrides(base, principal.limits) : base;
  };
}

function withOverrides(base: ResolvedLimits, overrides: RateLimitOverrides): ResolvedLimits {
  const merged: ResolvedLimits = { ...base };
  for (const [name, value] of Object.entries(overrides) as Array<[keyof RateLimitOverrides, number | undefined]>) {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) merged[name] = value;
  }
  return merged;
}

/**
 * Whose counters a request uses: a key (its API key and JWTs share them), the master key, or, with auth
 * disabled, the client address (IPv6 grouped by /56 so one host cannot rotate addresses past the limit).
 */
export function limitIdentity(principal: Principal | undefined, clientIp: string | undefined): string {
  if (principal?.kind === 'api-key' || principal?.kind === 'jwt') return `key:${principal.id}`;
  if (principal?.kind === 'master') return 'master';
  return `ip:${ipKeyGenerator(clientIp ?? 'unknown')}`;
}

import { InvalidRequestError } from '../core/errors.js';
import type { RateLimitOverrides } from '../core/principal.js';

// A key's own rate limits: the fields of a configured tier, each overriding the tier's value for this key.
// camelCase inside (as in CONFIG_FILE's tiers), snake_case on the admin API, kebab-case as CLI flags.

export const LIMIT_FIELDS = [
  ['requestsPerMinute', 'requests_per_minute'],
  ['burst', 'burst'],
  ['tokensPerMinute', 'tokens_per_minute'],
  ['concurrentStreams', 'concurrent_streams'],
  ['tokensPerDay', 'tokens_per_day'],
  ['tokensPerMonth', 'tokens_per_month'],
] as const satisfies ReadonlyArray<readonly [keyof RateLimitOverrides, string]>;

export type LimitField = (typeof LIMIT_FIELDS)[number][0];

/** Validates overrides given by field name (camelCase); every value a whole number, ≥ 1 (burst ≥ 0). */
export function parseLimits(input: Record<string, unknown>, param = 'limits'): RateLimitOverrides {
  const known = new Map<string, LimitField>(LIMIT_FIELDS.map(([camel]) => [camel, camel]));
  const limits: RateLimitOverrides = {};
  for (const [name, value] of Object.entries(input)) {
    const field = known.get(name);
    if (field === undefined) {
      throw new InvalidRequestError(`Unknown rate limit '${name}'; known: ${LIMIT_FIELDS.map(([camel]) => camel).join(', ')}.`, param);
    }
    const minimum = field === 'burst' ? 0 : 1;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
      throw new InvalidRequestError(`The rate limit '${name}' must be a whole number ≥ ${minimum}.`, `${param}.${field}`);
    }
    limits[field] = value;
  }
  return limits;
}

/** snake_case wire object → camelCase overrides (unknown names kept, so parseLimits reports them). */
export function fromLimitsJson(wire: Record<string, unknown>): Record<string, unknown> {
  const camelOf = new Map<string, string>(LIMIT_FIELDS.map(([camel, snake]) => [snake, camel]));
  return Object.fromEntries(Object.entries(wire).map(([name, value]) => [camelOf.get(name) ?? name, value]));
}

export function toLimitsJson(limits: RateLimitOverrides | Record<string, number>): Record<string, number> {
  const snakeOf = new Map<string, string>(LIMIT_FIELDS.map(([camel, snake]) => [camel, snake]));
  return Object.fromEntries(Object.entries(limits).map(([name, value]) => [snakeOf.get(name) ?? name, value]));
}

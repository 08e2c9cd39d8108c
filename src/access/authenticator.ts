import { hash, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from '../core/errors.js';
import { ALL_SCOPES, type Principal } from '../core/principal.js';
import type { ApiKeyRecord } from '../stores/key-store.js';
import { looksLikeApiKey } from './api-key.js';
import type { KeyService } from './key-service.js';
import { looksLikeJwt } from './jwt.js';
import type { PrincipalCache } from './principal-cache.js';
import { isScope } from './scopes.js';
import type { TokenService } from './token-service.js';

export interface AuthenticatorOptions {
  keys: KeyService;
  tokens: TokenService;
  /** MASTER_KEY: accepted as an admin principal holding every scope. */
  masterKey?: string;
  /** Remembers recent successes; see principal-cache.ts for how long they may be trusted. */
  cache?: PrincipalCache;
}

/** Resolves a bearer credential (master key, API key or JWT) to a Principal; throws AuthenticationError. */
export type Authenticate = (bearer: string) => Promise<Principal>;

const MASTER: Principal = Object.freeze({ id: 'master', kind: 'master', scopes: ALL_SCOPES });

export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  const masterDigest = options.masterKey === undefined ? undefined : digest(options.masterKey);
  const { cache } = options;
  return async (bearer) => {
    const bearerDigest = digest(bearer);
    // Comparing fixed-length digests keeps the master-key check constant-time whatever the input length.
    if (masterDigest !== undefined && timingSafeEqual(bearerDigest, masterDigest)) return MASTER;
    const cacheKey = bearerDigest.toString('base64');
    const cached = cache?.get(cacheKey);
    if (cached !== undefined) return cached;
    if (looksLikeApiKey(bearer)) {
      const record = await options.keys.authenticateSecret(bearer);
      if (record !== null) {
        const principal = toPrincipal(record, 'api-key', record.scopes.filter(isScope));
        // A rotated-out secret is only good until its grace period ends.
        const viaOldSecret = record.hash !== bearerDigest.toString('hex');
        cache?.set(cacheKey, principal, earliest(record.expiresAt, viaOldSecret ? record.previousHashExpiresAt : null));
        return principal;
      }
    } else if (looksLikeJwt(bearer)) {
      const { record, scopes, expiresAt } = await options.tokens.authenticateToken(bearer);
      const principal = toPrincipal(record, 'jwt', scopes);
      cache?.set(cacheKey, principal, earliest(record.expiresAt, expiresAt));
      return principal;
    }
    throw new AuthenticationError();
  };
}

function earliest(...dates: Array<Date | null>): number {
  return Math.min(...dates.map((date) => (date === null ? Number.POSITIVE_INFINITY : date.getTime())));
}

function toPrincipal(record: ApiKeyRecord, kind: 'api-key' | 'jwt', scopes: Principal['scopes']): Principal {
  return {
    id: record.id,
    kind,
    scopes,
    ...(record.models === null ? {} : { models: record.models }),
    ...(record.tier === null ? {} : { tier: record.tier }),
  };
}

function digest(value: string): Buffer {
  // crypto.hash (one call, no Hash object): this runs on every authenticated request.
  return hash('sha256', value, 'buffer');
}

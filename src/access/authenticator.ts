import { hash } from 'node:crypto';
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

export interface Authenticator extends Authenticate {
  /** SIGHUP rotation: from now on only this master key is accepted (undefined: none). */
  setMasterKey(masterKey: string | undefined): void;
}

const MASTER: Principal = Object.freeze({ id: 'master', kind: 'master', scopes: ALL_SCOPES });

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  let masterDigest = options.masterKey === undefined ? undefined : digest(options.masterKey);
  const { cache } = options;
  const authenticate: Authenticate = async (bearer) => {
    const bearerDigest = digest(bearer);
    // Comparing fixed-length digests keeps the master-key check constant-time whatever the input length.
    if (masterDigest !== undefined && sameDigest(bearerDigest, masterDigest)) return MASTER;
    const cacheKey = bearerDigest;
    const cached = cache?.get(cacheKey);
    if (cached !== undefined) return cached;
    if (looksLikeApiKey(bearer)) {
      const record = await options.keys.authenticateSecret(bearer);
      if (record !== null) {
        const principal = toPrincipal(record, 'api-key', record.scopes.filter(isScope));
        // A rotated-out secret is only good until its grace period ends.
        const viaOldSecret = record.hash !== bearerDigest;
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
  return Object.assign(authenticate, {
    setMasterKey(masterKey: string | undefined) {
      masterDigest = masterKey === undefined || masterKey === '' ? undefined : digest(masterKey);
    },
  });
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
    ...(record.limits === null ? {} : { limits: record.limits }),
  };
}

/** SHA-256 as hex: crypto.hash is one call with no Hash object, and hex output is its fastest form here. */
function digest(value: string): string {
  return hash('sha256', value, 'hex');
}

/** Constant-time comparison of two digests of the same length (no early exit on the first difference). */
function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return difference === 0;
}

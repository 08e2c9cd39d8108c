import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from '../core/errors.js';
import { ALL_SCOPES, type Principal } from '../core/principal.js';
import type { ApiKeyRecord } from '../stores/key-store.js';
import { looksLikeApiKey } from './api-key.js';
import type { KeyService } from './key-service.js';
import { looksLikeJwt } from './jwt.js';
import { isScope } from './scopes.js';
import type { TokenService } from './token-service.js';

export interface AuthenticatorOptions {
  keys: KeyService;
  tokens: TokenService;
  /** MASTER_KEY: accepted as an admin principal holding every scope. */
  masterKey?: string;
}

/** Resolves a bearer credential (master key, API key or JWT) to a Principal; throws AuthenticationError. */
export type Authenticate = (bearer: string) => Promise<Principal>;

export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  const masterDigest = options.masterKey === undefined ? undefined : digest(options.masterKey);
  return async (bearer) => {
    // Comparing fixed-length digests keeps the master-key check constant-time whatever the input length.
    if (masterDigest !== undefined && timingSafeEqual(digest(bearer), masterDigest)) {
      return { id: 'master', kind: 'master', scopes: ALL_SCOPES };
    }
    if (looksLikeApiKey(bearer)) {
      const record = await options.keys.authenticateSecret(bearer);
      if (record !== null) return toPrincipal(record, 'api-key', record.scopes.filter(isScope));
    } else if (looksLikeJwt(bearer)) {
      const { record, scopes } = await options.tokens.authenticateToken(bearer);
      return toPrincipal(record, 'jwt', scopes);
    }
    throw new AuthenticationError();
  };
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
  return createHash('sha256').update(value, 'utf8').digest();
}

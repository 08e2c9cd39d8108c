import { AuthenticationError, PermissionDeniedError, ProxyError } from '../core/errors.js';
import type { Scope } from '../core/principal.js';
import type { ApiKeyRecord } from '../stores/key-store.js';
import type { KeyService } from './key-service.js';
import { issueToken, verifyToken } from './jwt.js';
import { isScope } from './scopes.js';

// JWT client credentials: a key id + secret are exchanged for a short-lived token. Tokens carry at most the
// key's scopes and die with the key: every verification looks the key up again.

export interface TokenServiceOptions {
  keys: KeyService;
  secret: string;
  /** Default lifetime of issued tokens (default 3600 s). */
  ttlSeconds?: number;
  now?: () => Date;
}

export interface IssuedTokenResponse {
  token: string;
  tokenType: 'Bearer';
  expiresIn: number;
  expiresAt: Date;
}

export interface IssueTokenForKeyOptions {
  ttlSeconds?: number;
  /** Narrower scopes than the key's; must be a subset. */
  scopes?: readonly Scope[];
}

export interface AuthenticatedToken {
  record: ApiKeyRecord;
  /** The token's scopes still held by the key now. */
  scopes: Scope[];
  /** The token's `exp`. */
  expiresAt: Date;
}

export interface TokenService {
  issueTokenForKey(id: string, options?: IssueTokenForKeyOptions): Promise<IssuedTokenResponse>;
  /** POST /api/v1/auth: throws AuthenticationError unless the secret belongs to the usable key `clientId`. */
  exchangeCredentials(clientId: string, secret: string): Promise<IssuedTokenResponse>;
  /** Throws AuthenticationError for a bad token or a key that is gone, revoked or expired. */
  authenticateToken(token: string): Promise<AuthenticatedToken>;
  /**
   * SIGHUP rotation of JWT_SECRET: new tokens are signed with `secret` at once; tokens signed with the one it
   * replaces are still verified for `previousGraceMs` (by default the token lifetime, so every token issued
   * before the rotation lives out its own `exp` and no longer), then refused.
   */
  rotateSecret(secret: string, previousGraceMs?: number): void;
}

export function createTokenService(options: TokenServiceOptions): TokenService {
  const now = options.now ?? (() => new Date());
  const defaultTtl = options.ttlSeconds ?? 3600;
  let secret = options.secret;
  let previous: { secret: string; until: number } | undefined;

  function verify(token: string): ReturnType<typeof verifyToken> {
    try {
      return verifyToken(token, secret, now());
    } catch (error) {
      if (previous === undefined || now().getTime() >= previous.until) throw error;
      try {
        return verifyToken(token, previous.secret, now());
      } catch {
        throw error;
      }
    }
  }

  function issueFor(record: ApiKeyRecord, scopes: readonly Scope[], ttlSeconds: number): IssuedTokenResponse {
    const issued = issueToken({ keyId: record.id, scopes, secret, ttlSeconds, now: now() });
    return { token: issued.token, tokenType: 'Bearer', expiresIn: issued.expiresIn, expiresAt: issued.expiresAt };
  }

  return {
    async issueTokenForKey(id, request = {}) {
      const record = await options.keys.findUsableKey(id, now());
      if (record === null) {
        await options.keys.getKey(id); // throws NotFoundError when the id does not exist at all
        throw new ProxyError('conflict', `API key '${id}' is revoked or expired; it cannot get tokens.`);
      }
      const held = record.scopes.filter(isScope);
      const wanted = request.scopes ?? held;
      const extra = wanted.filter((scope) => !held.includes(scope));
      if (extra.length > 0) throw new PermissionDeniedError(`API key '${id}' does not hold scope(s): ${extra.join(', ')}.`, 'scope');
      return issueFor(record, wanted, request.ttlSeconds ?? defaultTtl);
    },
    async exchangeCredentials(clientId, secret) {
      const record = await options.keys.authenticateSecret(secret, now());
      if (record === null || record.id !== clientId) throw new AuthenticationError('Invalid client_id or secret.');
      return issueFor(record, record.scopes.filter(isScope), defaultTtl);
    },
    async authenticateToken(token) {
      const verified = verify(token);
      const record = await options.keys.findUsableKey(verified.keyId, now());
      if (record === null) throw new AuthenticationError('The API key behind this token has been revoked or has expired.');
      return { record, scopes: verified.scopes.filter((scope) => record.scopes.includes(scope)), expiresAt: verified.expiresAt };
    },
    rotateSecret(next, previousGraceMs = defaultTtl * 1000) {
      if (next === secret) return;
      previous = previousGraceMs > 0 ? { secret, until: now().getTime() + previousGraceMs } : undefined;
      secret = next;
    },
  };
}

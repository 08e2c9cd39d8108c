import { randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { AuthenticationError } from '../core/errors.js';
import type { Scope } from '../core/principal.js';
import { isScope } from './scopes.js';

const ALGORITHM = 'HS256';
/** Seconds of clock skew tolerated between instances when checking exp/nbf. */
const CLOCK_TOLERANCE_SECONDS = 5;
const SECRET_FILE = 'jwt.secret';

export interface IssueTokenOptions {
  keyId: string;
  scopes: readonly Scope[];
  secret: string;
  ttlSeconds: number;
  now: Date;
  newId?: () => string;
}

export interface VerifiedToken {
  keyId: string;
  scopes: Scope[];
  issuedAt: Date;
  expiresAt: Date;
  jti: string;
}

export interface IssuedToken {
  token: string;
  expiresIn: number;
  expiresAt: Date;
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  scope: z.string(),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().min(1),
});

export function issueToken(options: IssueTokenOptions): IssuedToken {
  const iat = Math.floor(options.now.getTime() / 1000);
  const exp = iat + options.ttlSeconds;
  const payload = {
    sub: options.keyId,
    scope: options.scopes.join(' '),
    iat,
    exp,
    jti: (options.newId ?? randomUUID)(),
  };
  const token = jwt.sign(payload, options.secret, { algorithm: ALGORITHM });
  return { token, expiresIn: options.ttlSeconds, expiresAt: new Date(exp * 1000) };
}

/** Verifies signature (HS256 only), exp and nbf; throws AuthenticationError saying why, never the token. */
export function verifyToken(token: string, secret: string, now: Date = new Date()): VerifiedToken {
  let payload: unknown;
  try {
    payload = jwt.verify(token, secret, {
      algorithms: [ALGORITHM],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      clockTimestamp: Math.floor(now.getTime() / 1000),
    });
  } catch (error) {
    throw new AuthenticationError(describeJwtFailure(error));
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new AuthenticationError('The bearer token is missing required claims.');
  const scopes = claims.data.scope.split(' ').filter(Boolean);
  if (!scopes.every(isScope)) throw new AuthenticationError('The bearer token carries an unknown scope.');
  return {
    keyId: claims.data.sub,
    scopes: scopes.filter(isScope),
    issuedAt: new Date(claims.data.iat * 1000),
    expiresAt: new Date(claims.data.exp * 1000),
    jti: claims.data.jti,
  };
}

/** Three base64url segments, the first decoding to a JSON header: cheap shape test before verifying. */
export function looksLikeJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => /^[A-Za-z0-9_-]*$/.test(part))) return false;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && 'alg' in header;
  } catch {
    return false;
  }
}

/** The configured JWT_SECRET, else the one kept in DATA_DIR/jwt.secret (created with mode 0600 on first use). */
export async function loadOrCreateJwtSecret(dataDir: string, configured?: string): Promise<string> {
  if (configured !== undefined && configured !== '') return configured;
  const path = join(dataDir, SECRET_FILE);
  const existing = await readSecretFile(path);
  if (existing !== undefined) return existing;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  // Write then hard-link into place: the file appears complete or not at all, and link() refuses to
  // overwrite, so when the server and a CLI run race, both end up with the same secret.
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, path);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readSecretFile(path)) ?? secret;
  } finally {
    await unlink(temporary);
  }
}

async function readSecretFile(path: string): Promise<string | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function describeJwtFailure(error: unknown): string {
  if (error instanceof jwt.TokenExpiredError) return 'The bearer token has expired.';
  if (error instanceof jwt.NotBeforeError) return 'The bearer token is not valid yet.';
  return 'The bearer token is invalid.';
}

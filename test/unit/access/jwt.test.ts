import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, describe, expect, it } from 'vitest';
import { issueToken, loadOrCreateJwtSecret, looksLikeJwt, verifyToken } from '../../../src/access/jwt.js';
import { AuthenticationError } from '../../../src/core/errors.js';

const SECRET = 'a-test-secret-that-is-at-least-32-chars-long';
const NOW = new Date('2025-03-01T12:00:00Z');
const nowSeconds = NOW.getTime() / 1000;
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

function validToken(): string {
  return issueToken({ keyId: 'key_abc', scopes: ['chat', 'models:read'], secret: SECRET, ttlSeconds: 3600, now: NOW, newId: () => 'jti-1' }).token;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = { sub: 'key_abc', scope: 'chat admin', iat: nowSeconds, exp: nowSeconds + 3600, jti: 'j' };

function expectRejected(token: string, message: RegExp, at: Date = NOW): void {
  expect(() => verifyToken(token, SECRET, at)).toThrow(AuthenticationError);
  expect(() => verifyToken(token, SECRET, at)).toThrow(message);
}

describe('issueToken / verifyToken', () => {
  it('issues an HS256 token with sub, space-separated scope, iat, exp and jti', () => {
    const token = validToken();
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    expect(jwt.decode(token)).toEqual({ sub: 'key_abc', scope: 'chat models:read', iat: nowSeconds, exp: nowSeconds + 3600, jti: 'jti-1' });
  });

  it('verifies its own token and returns the key id and scopes', () => {
    expect(verifyToken(validToken(), SECRET, later(60))).toEqual({
      keyId: 'key_abc', scopes: ['chat', 'models:read'], issuedAt: NOW, expiresAt: later(3600), jti: 'jti-1',
    });
  });

  it('rejects alg none', () => {
    expectRejected(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`, /invalid/);
  });

  it('rejects a token signed with another algorithm (RS256)', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expectRejected(jwt.sign(claims, privateKey, { algorithm: 'RS256' }), /invalid/);
  });

  it('rejects HS512 even with the right secret', () => {
    expectRejected(jwt.sign(claims, SECRET, { algorithm: 'HS512' }), /invalid/);
  });

  it('rejects a tampered payload or signature', () => {
    const [header, , signature] = validToken().split('.');
    expectRejected(`${header}.${b64({ ...claims, scope: 'admin' })}.${signature}`, /invalid/);
    const flipped = signature!.startsWith('A') ? `B${signature!.slice(1)}` : `A${signature!.slice(1)}`;
    expectRejected(`${header}.${validToken().split('.')[1]}.${flipped}`, /invalid/);
  });

  it('rejects a token signed with a different secret', () => {
    expectRejected(jwt.sign(claims, 'another-secret-of-sufficient-length-123', { algorithm: 'HS256' }), /invalid/);
  });

  it('rejects an expired token, allowing a few seconds of clock skew', () => {
    expect(() => verifyToken(validToken(), SECRET, later(3603))).not.toThrow();
    expectRejected(validToken(), /expired/, later(3606));
  });

  it('rejects a token whose nbf is in the future', () => {
    expectRejected(jwt.sign({ ...claims, nbf: nowSeconds + 60 }, SECRET, { algorithm: 'HS256' }), /not valid yet/);
  });

  it('rejects a correctly signed token without the required claims or with an unknown scope', () => {
    expectRejected(jwt.sign({ sub: 'key_abc', exp: nowSeconds + 60 }, SECRET, { algorithm: 'HS256' }), /claims/);
    expectRejected(jwt.sign({ ...claims, scope: 'chat root' }, SECRET, { algorithm: 'HS256' }), /unknown scope/);
  });

  it('never puts the token in the error message', () => {
    const token = jwt.sign(claims, 'wrong-secret-wrong-secret-wrong-secret', { algorithm: 'HS256' });
    let message = '';
    try {
      verifyToken(token, SECRET, NOW);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('The bearer token is invalid.');
  });
});

describe('looksLikeJwt', () => {
  it('accepts three base64url segments with a JSON header, and nothing else', () => {
    expect(looksLikeJwt(validToken())).toBe(true);
    expect(looksLikeJwt('sk-abcdef')).toBe(false);
    expect(looksLikeJwt('a.b.c')).toBe(false);
    expect(looksLikeJwt(`${b64({ alg: 'HS256' })}.x`)).toBe(false);
  });
});

describe('loadOrCreateJwtSecret', () => {
  const root = mkdtempSync(join(tmpdir(), 'jwt-secret-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('prefers the configured secret and writes nothing', async () => {
    const dir = join(root, 'configured');
    expect(await loadOrCreateJwtSecret(dir, 'configured-secret')).toBe('configured-secret');
    expect(() => statSync(dir)).toThrow();
  });

  it('creates DATA_DIR/jwt.secret with mode 0600 and returns the same secret next time', async () => {
    const dir = join(root, 'generated');
    const first = await loadOrCreateJwtSecret(dir);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dir, 'jwt.secret')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'jwt.secret'), 'utf8').trim()).toBe(first);
    expect(await loadOrCreateJwtSecret(dir)).toBe(first);
  });

  it('gives concurrent first callers the same secret', async () => {
    const dir = join(root, 'racing');
    const secrets = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateJwtSecret(dir)));
    expect(new Set(secrets).size).toBe(1);
  });
});

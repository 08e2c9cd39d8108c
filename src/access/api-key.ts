import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'sk-';
const SECRET_BYTES = 32;
const DISPLAY_LENGTH = 10;

export interface GeneratedApiKey {
  /** Shown to the user once; never stored. */
  secret: string;
  /** SHA-256 hex of the whole secret: what the store keeps and looks up by. */
  hash: string;
  /** Enough of the secret to recognise it in a list, not enough to use it. */
  prefix: string;
}

export function generateApiKey(random: (size: number) => Buffer = randomBytes): GeneratedApiKey {
  const secret = API_KEY_PREFIX + random(SECRET_BYTES).toString('base64url');
  return { secret, hash: hashApiKey(secret), prefix: displayPrefix(secret) };
}

// Keys carry 256 bits of entropy, so a plain (unsalted, fast) hash is enough: there is nothing to brute-force.
// Looking keys up by hash also means no secret is ever compared character by character.
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function displayPrefix(secret: string): string {
  return `${secret.slice(0, DISPLAY_LENGTH)}…`;
}

export function newKeyId(random: (size: number) => Buffer = randomBytes): string {
  return `key_${random(9).toString('base64url')}`;
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

import { randomBytes } from 'node:crypto';

// Random ids for responses, tool calls and requests. Unpredictable (they appear in logs and caches) and cheap:
// random bytes are drawn in one pooled block and mapped to [A-Za-z0-9] like OpenAI's own ids.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ID_LENGTH = 24;
const POOL_SIZE = ID_LENGTH * 256;

let pool = randomBytes(POOL_SIZE);
let offset = 0;

/** 24 characters of ~5.95 bits each (byte mod 62; the slight bias is irrelevant for uniqueness). */
export function randomIdPart(): string {
  if (offset + ID_LENGTH > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  let id = '';
  for (let i = 0; i < ID_LENGTH; i++) id += ALPHABET[pool[offset + i]! % 62];
  offset += ID_LENGTH;
  return id;
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// AES-256-GCM for stored history (ENCRYPTION_KEY). Each value gets a fresh 96-bit nonce; the storage
// key is bound in as additional data, so a record copied under another session's key does not open.

export interface SessionCipher {
  seal(plaintext: string, associatedData: string): string;
  /** Throws when the text was not sealed with this key and associated data. */
  open(sealed: string, associatedData: string): string;
}

export const SEALED_PREFIX = 'aes256gcm:';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export function createSessionCipher(key: Uint8Array): SessionCipher {
  if (key.length !== 32) throw new RangeError('AES-256-GCM needs a 32-byte key');
  return {
    seal(plaintext, associatedData) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return SEALED_PREFIX + Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed, associatedData) {
      if (!sealed.startsWith(SEALED_PREFIX)) throw new Error('stored value is not encrypted');
      const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64');
      if (raw.length < NONCE_BYTES + TAG_BYTES) throw new Error('stored value is too short to be encrypted');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(raw.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}

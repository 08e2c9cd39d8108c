import { describe, expect, it } from 'vitest';
import { displayPrefix, generateApiKey, hashApiKey, looksLikeApiKey, newKeyId } from '../../../src/access/api-key.js';

describe('generateApiKey', () => {
  it('makes an sk- secret carrying at least 32 random bytes in URL-safe base64', () => {
    const { secret } = generateApiKey();
    expect(secret).toMatch(/^sk-[A-Za-z0-9_-]+$/);
    expect(Buffer.from(secret.slice(3), 'base64url').length).toBeGreaterThanOrEqual(32);
  });

  it('returns the SHA-256 hex of the whole secret and a short display prefix', () => {
    const { secret, hash, prefix } = generateApiKey();
    expect(hash).toBe(hashApiKey(secret));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(prefix).toBe(`${secret.slice(0, 10)}…`);
    expect(secret.startsWith(prefix.slice(0, -1))).toBe(true);
  });

  it('never repeats a secret', () => {
    const secrets = new Set(Array.from({ length: 50 }, () => generateApiKey().secret));
    expect(secrets.size).toBe(50);
  });
});

describe('hashApiKey', () => {
  it('matches the known SHA-256 of a string', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('newKeyId', () => {
  it('is key_ followed by 12 URL-safe characters', () => {
    expect(newKeyId()).toMatch(/^key_[A-Za-z0-9_-]{12}$/);
  });
});

describe('looksLikeApiKey / displayPrefix', () => {
  it('recognises the sk- prefix only', () => {
    expect(looksLikeApiKey('sk-abc')).toBe(true);
    expect(looksLikeApiKey('eyJhbGciOi.x.y')).toBe(false);
  });

  it('shows ten characters and an ellipsis', () => {
    expect(displayPrefix('sk-0123456789abcdef')).toBe('sk-0123456…');
  });
});

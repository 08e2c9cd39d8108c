import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeEncryptionKey } from '../../../src/config/config-schema.js';
import { ConfigError, loadConfig } from '../../../src/config/load-config.js';
import { sessionStoreSpec } from '../../../src/open-services.js';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('memory configuration', () => {
  it('accepts a 32-byte ENCRYPTION_KEY as hex or base64', () => {
    const key = randomBytes(32);
    expect(decodeEncryptionKey(key.toString('hex'))).toEqual(key);
    expect(decodeEncryptionKey(key.toString('base64'))).toEqual(key);
    expect(decodeEncryptionKey(key.toString('base64url'))).toEqual(key);
    expect(loadConfig({ ENCRYPTION_KEY: key.toString('hex') }).memory.encryptionKey).toBe(key.toString('hex'));
  });

  it.each([['too-short'], [randomBytes(16).toString('hex')], [randomBytes(31).toString('base64')], ['z'.repeat(64)]])(
    'stops start-up for ENCRYPTION_KEY %s',
    (key) => {
      expect(problems({ ENCRYPTION_KEY: key })).toEqual([expect.stringMatching(/^ENCRYPTION_KEY \(memory\.encryptionKey\): must be 32 bytes/)]);
    },
  );

  it('does not print the key in the problem', () => {
    expect(problems({ ENCRYPTION_KEY: 'not-a-key-secret' }).join('\n')).not.toContain('not-a-key-secret');
  });

  it('refuses a window larger than the memory', () => {
    expect(problems({ MEMORY_SIZE: '1000', MEMORY_WINDOW_SIZE: '2000' })).toEqual([expect.stringContaining('memory.windowSize')]);
  });

  it("refuses MEMORY_STORE=redis without REDIS_URL", () => {
    expect(problems({ MEMORY_STORE: 'redis' })).toEqual([expect.stringMatching(/^MEMORY_STORE.*REDIS_URL/)]);
  });

  it('reads the strategy and sizes from the environment', () => {
    expect(loadConfig({ MEMORY_STRATEGY: 'hybrid', MEMORY_SIZE: '8192', MEMORY_WINDOW_SIZE: '1024', MEMORY_TTL_SECONDS: '60' }).memory).toMatchObject({
      strategy: 'hybrid',
      memorySize: 8192,
      windowSize: 1024,
      ttlSeconds: 60,
    });
  });
});

describe('sessionStoreSpec', () => {
  it('is bounded memory by default, Redis when REDIS_URL is set, SQLite in DATA_DIR on request', () => {
    expect(sessionStoreSpec(loadConfig({ MEMORY_MAX_SESSIONS: '50' }))).toEqual({ kind: 'memory', maxEntries: 50 });
    expect(sessionStoreSpec(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toEqual({ kind: 'redis', url: 'redis://127.0.0.1:6379' });
    expect(sessionStoreSpec(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', MEMORY_STORE: 'memory' })).kind).toBe('memory');
    expect(sessionStoreSpec(loadConfig({ MEMORY_STORE: 'sqlite', DATA_DIR: '/var/lib/proxy' }))).toEqual({ kind: 'sqlite', path: '/var/lib/proxy/sessions.sqlite' });
  });
});

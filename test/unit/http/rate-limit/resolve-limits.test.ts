import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config/load-config.js';
import { ANONYMOUS, type Principal } from '../../../../src/core/principal.js';
import { createLimitResolver, limitIdentity } from '../../../../src/http/rate-limit/resolve-limits.js';

const config = loadConfig(
  { CONFIG_FILE: 'c.json' },
  { readFile: () => JSON.stringify({ rateLimit: { defaultTier: 'free', tiers: { free: { requestsPerMinute: 10, burst: 5 }, pro: { requestsPerMinute: 100, tokensPerDay: 5000 } } } }) },
).rateLimit;
const key = (extra: Partial<Principal> = {}): Principal => ({ id: 'k1', kind: 'api-key', scopes: [], ...extra });

describe('createLimitResolver', () => {
  const resolve = createLimitResolver(config);

  it("uses the key's tier", () => {
    expect(resolve(key({ tier: 'pro' }))).toMatchObject({ tier: 'pro', requestsPerMinute: 100, tokensPerDay: 5000 });
  });

  it('falls back to the default tier for keys without a tier or with an unknown one', () => {
    expect(resolve(key())).toMatchObject({ tier: 'free', requestsPerMinute: 10, burst: 5 });
    expect(resolve(key({ tier: 'gold' }))).toMatchObject({ tier: 'free' });
    expect(resolve(undefined)).toMatchObject({ tier: 'free' });
  });

  it("applies the key's own overrides field by field", () => {
    expect(resolve(key({ tier: 'pro', limits: { requestsPerMinute: 3, concurrentStreams: 1 } }))).toMatchObject({
      tier: 'pro', requestsPerMinute: 3, concurrentStreams: 1, tokensPerDay: 5000,
    });
  });

  it('uses the schema defaults when the default tier is not configured', () => {
    const plain = createLimitResolver(loadConfig({}).rateLimit);
    expect(plain(ANONYMOUS)).toMatchObject({ tier: 'default', requestsPerMinute: 600, burst: 0, tokensPerMinute: 1_000_000 });
  });
});

describe('limitIdentity', () => {
  const req = (ip: string) => ip;
  it('is the key for API keys and JWTs of that key', () => {
    expect(limitIdentity(key(), req('1.2.3.4'))).toBe('key:k1');
    expect(limitIdentity(key({ kind: 'jwt' }), req('1.2.3.4'))).toBe('key:k1');
  });

  it('is the client address without auth, IPv6 grouped by /56', () => {
    expect(limitIdentity(ANONYMOUS, req('10.0.0.1'))).toBe('ip:10.0.0.1');
    expect(limitIdentity(ANONYMOUS, req('2001:db8:0:1::1'))).toBe(limitIdentity(ANONYMOUS, req('2001:db8:0:2::9')));
  });
});

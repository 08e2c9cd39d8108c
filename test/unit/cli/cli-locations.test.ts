import { describe, expect, it } from 'vitest';
import { describeKeyStore, locateServer } from '../../../src/cli/cli-locations.js';
import { inFlagTerms } from '../../../src/cli/flag-names.js';

describe('locateServer', () => {
  it.each([
    [{ PROXY_URL: 'http://proxy:9000', PORT: '1234' }, undefined, { url: 'http://proxy:9000', source: 'PROXY_URL' }],
    [{ PORT: '8123' }, undefined, { url: 'http://127.0.0.1:8123', source: 'HOST/PORT' }],
    [{ HOST: '0.0.0.0', PORT: '8080' }, undefined, { url: 'http://127.0.0.1:8080', source: 'HOST/PORT' }],
    [{ HOST: '::' }, undefined, { url: 'http://[::1]:8000', source: 'HOST/PORT' }],
    [{}, undefined, { url: 'http://127.0.0.1:8000', source: 'default' }],
    [{ PROXY_URL: 'http://x' }, 'http://flag:1', { url: 'http://flag:1', source: '--url' }],
  ])('%j (flag %s) → %j', (env, flag, expected) => {
    expect(locateServer(env, flag)).toEqual(expected);
  });
});

describe('describeKeyStore', () => {
  it('names the SQLite file, or PostgreSQL without its password', () => {
    expect(describeKeyStore({}, '/srv/data')).toBe('SQLite /srv/data/proxy.db');
    expect(describeKeyStore({ DATABASE_URL: 'postgres://proxy:s3cret@db:5432/keys' }, '/srv/data')).toBe('PostgreSQL postgres://proxy:***@db:5432/keys');
  });
});

describe('inFlagTerms', () => {
  it('puts the flag first and renames API fields in the message', () => {
    expect(inFlagTerms("Invalid duration 'soon'", 'expires_in')).toBe("--expires: Invalid duration 'soon'");
    expect(inFlagTerms('memory_limit 1M is smaller than one layer', undefined)).toBe('--memory-limit 1M is smaller than one layer');
    expect(inFlagTerms('A key name must be 1 to 100 characters.', 'name')).toBe('--name: A key name must be 1 to 100 characters.');
  });
});

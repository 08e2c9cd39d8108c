import { describe, expect, it } from 'vitest';
import { applySecrets, describeVaultError, fromKvV2Read, fromSecretFile, fromTokenLookup, fromVaultAuth, kvV2DataPath, planSecrets } from '../../../src/config/secret-sources.js';

describe('planSecrets', () => {
  it('plans nothing for an environment without _FILE or Vault settings', () => {
    expect(planSecrets({ MASTER_KEY: 'x' })).toEqual({ files: [], vault: null, problems: [] });
  });

  it('plans a file per <NAME>_FILE and a Vault read with token or AppRole', () => {
    expect(planSecrets({ REDIS_URL_FILE: '/r', VAULT_ADDR: 'https://vault:8200/', VAULT_TOKEN: 't', VAULT_SECRET_PATH: 'kv/app', VAULT_NAMESPACE: 'ns' })).toEqual({
      files: [{ name: 'REDIS_URL', path: '/r' }],
      vault: { address: 'https://vault:8200', namespace: 'ns', dataPath: 'kv/data/app', auth: { kind: 'token', token: 't' } },
      problems: [],
    });
    expect(planSecrets({ VAULT_ADDR: 'http://v', VAULT_ROLE_ID: 'r', VAULT_SECRET_ID_FILE: '/s', VAULT_SECRET_PATH: 'secret/data/p', VAULT_APPROLE_MOUNT: 'ci' }).vault?.auth)
      .toEqual({ kind: 'approle', roleId: 'r', secretIdFile: '/s', mount: 'ci' });
  });

  it('refuses a bad VAULT_ADDR', () => {
    expect(planSecrets({ VAULT_ADDR: 'vault:8200', VAULT_TOKEN: 't', VAULT_SECRET_PATH: 'secret/p' }).problems).toEqual(["VAULT_ADDR must be an http(s):// URL, got 'vault:8200'"]);
  });
});

describe('kvV2DataPath', () => {
  it.each([
    ['secret/data/proxy', 'secret/data/proxy'],
    ['secret/proxy', 'secret/data/proxy'],
    ['/v1/secret/data/team/proxy/', 'secret/data/team/proxy'],
    ['kv/team/proxy', 'kv/data/team/proxy'],
  ])('%s → %s', (input, expected) => expect(kvV2DataPath(input)).toBe(expected));
});

describe('fromSecretFile and applySecrets', () => {
  it('drops one trailing newline only', () => {
    expect(fromSecretFile('abc\n')).toBe('abc');
    expect(fromSecretFile('abc\r\n')).toBe('abc');
    expect(fromSecretFile('abc\n\n')).toBe('abc\n');
  });

  it('lets the environment win over files and files over Vault, and ignores empty Vault values', () => {
    const { env, sources } = applySecrets({ MASTER_KEY: 'env' }, { MASTER_KEY: 'file', JWT_SECRET: 'file' }, { JWT_SECRET: 'vault', REDIS_URL: 'redis://v', METRICS_TOKEN: '' });
    expect(env).toEqual({ MASTER_KEY: 'env', JWT_SECRET: 'file', REDIS_URL: 'redis://v' });
    expect(sources).toEqual({ JWT_SECRET: 'file', REDIS_URL: 'vault' });
  });
});

describe("Vault's answers", () => {
  const read = {
    request_id: 'r', lease_id: '', renewable: false, lease_duration: 0, wrap_info: null, warnings: null, auth: null,
    data: { data: { MASTER_KEY: 'm', other: 1 }, metadata: { created_time: '2025-01-01T00:00:00Z', custom_metadata: null, deletion_time: '', destroyed: false, version: 3 } },
  };

  it('takes the secret variables out of a KV v2 read and ignores other keys', () => {
    expect(fromKvV2Read(read, 'secret/data/p')).toEqual({ MASTER_KEY: 'm' });
  });

  it('refuses a KV v1 answer and a non-string secret', () => {
    expect(() => fromKvV2Read({ data: { MASTER_KEY: 'm' } }, 'secret/p')).toThrow(/not a KV v2 secret.*KV version 2/);
    expect(() => fromKvV2Read({ data: { data: { MASTER_KEY: 5 } } }, 'secret/data/p')).toThrow('Vault secret secret/data/p: MASTER_KEY must be a string');
  });

  it('reads login, renew and lookup answers', () => {
    expect(fromVaultAuth({ auth: { client_token: 'hvs.x', renewable: true, lease_duration: 1200 } })).toEqual({ token: 'hvs.x', renewable: true, leaseSeconds: 1200 });
    expect(() => fromVaultAuth({ auth: null })).toThrow(/client_token/);
    expect(fromTokenLookup({ data: { renewable: false, ttl: 0 } })).toEqual({ renewable: false, ttlSeconds: 0 });
  });

  it('explains refusals by status', () => {
    expect(describeVaultError(403, { errors: ['permission denied'] }, 'read secret/data/p')).toBe("Vault refused to read secret/data/p (403 permission denied): check the token's policy or the AppRole credentials");
    expect(describeVaultError(503, { errors: ['Vault is sealed'] }, 'read x')).toBe('Vault cannot read x (503: Vault is sealed): it is sealed or in standby');
    expect(describeVaultError(500, { errors: ['boom'] }, 'read x')).toBe('Vault could not read x (500: boom)');
  });
});

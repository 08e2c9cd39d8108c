import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSecrets, SecretsError } from '../../src/load-secrets.js';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startFakeVault, type FakeVault, type FakeVaultRequest } from '../helpers/fake-vault.js';
import { listeningUrl, runBuiltServer, type ServerRun } from '../helpers/run-built-server.js';

// Issue 18.2: secrets from <NAME>_FILE and from Vault KV v2 (token or AppRole), over real HTTP against the
// Vault stand-in; the built server is started with them and the secret is then used as a client would.

const PATH = 'secret/data/proxy';
const dir = mkdtempSync(join(tmpdir(), 'proxy-secrets-'));
let vault: FakeVault;
let fake: FakeOllama;
const runs: ServerRun[] = [];

beforeAll(async () => {
  vault = await startFakeVault();
  fake = await startFakeOllama();
});
afterAll(async () => {
  for (const run of runs) run.kill();
  await vault.close();
  await fake.close();
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

async function problems(env: Record<string, string>): Promise<string[]> {
  const error = await loadSecrets(env).then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(SecretsError);
  return (error as SecretsError).problems;
}

async function startServer(env: Record<string, string>): Promise<{ url: string; run: ServerRun }> {
  const run = await runBuiltServer({ PORT: '0', OLLAMA_URL: fake.url, ...env }, /"listening"/);
  runs.push(run);
  const url = listeningUrl(run);
  if (url === undefined) throw new Error(`server did not start: ${run.stderr}`);
  return { url, run };
}

const models = (url: string, key: string) => fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } }).then((response) => response.status);

describe('<NAME>_FILE', () => {
  it('reads each secret from its file, without the trailing newline', async () => {
    const loaded = await loadSecrets({
      MASTER_KEY_FILE: file('master', 'sk-from-a-file-123\n'),
      DATABASE_URL_FILE: file('db', 'postgres://u:p@db/proxy'),
      JWT_SECRET: 'direct-value-wins-nothing-to-merge-here',
    });
    expect(loaded.env).toMatchObject({ MASTER_KEY: 'sk-from-a-file-123', DATABASE_URL: 'postgres://u:p@db/proxy', JWT_SECRET: 'direct-value-wins-nothing-to-merge-here' });
    expect(loaded.sources).toEqual({ MASTER_KEY: 'file', DATABASE_URL: 'file' });
  });

  it('names every unreadable, empty or doubly-set secret at once', async () => {
    expect(await problems({
      MASTER_KEY_FILE: join(dir, 'missing'), REDIS_URL_FILE: file('empty', '\n'), JWT_SECRET: 'x'.repeat(32), JWT_SECRET_FILE: file('jwt', 'y'),
    })).toEqual([
      `JWT_SECRET and JWT_SECRET_FILE are both set: keep one`,
      `MASTER_KEY_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`,
      `REDIS_URL_FILE: ${join(dir, 'empty')} is empty`,
    ]);
  });

  it('lets the built server authenticate with a MASTER_KEY from a file', async () => {
    const { url } = await startServer({ MASTER_KEY_FILE: file('server-master', 'sk-master-from-file-0001\n') });
    expect(await models(url, 'sk-master-from-file-0001')).toBe(200);
  });

  it('makes the built server exit 1 naming the missing file, without a stack trace', async () => {
    const run = await runBuiltServer({ PORT: '0', OLLAMA_URL: fake.url, ENCRYPTION_KEY_FILE: '/nonexistent/encryption.key' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ENCRYPTION_KEY_FILE: cannot read /nonexistent/encryption.key (ENOENT)');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('Vault KV v2', () => {
  beforeAll(() => {
    vault.putSecret(PATH, { MASTER_KEY: 'sk-master-from-vault-01', JWT_SECRET: 'j'.repeat(40), UNRELATED: 'ignored' });
    vault.addToken('hvs.static-token', { paths: [PATH] });
    vault.addToken('hvs.no-policy', { paths: [] });
  });

  it('reads the secret with a token, sending X-Vault-Token and X-Vault-Namespace', async () => {
    vault.namespace = 'team-a';
    try {
      const loaded = await loadSecrets({ VAULT_ADDR: vault.url, VAULT_TOKEN: 'hvs.static-token', VAULT_SECRET_PATH: PATH, VAULT_NAMESPACE: 'team-a' });
      expect(loaded.env).toMatchObject({ MASTER_KEY: 'sk-master-from-vault-01', JWT_SECRET: 'j'.repeat(40) });
      expect(loaded.env.UNRELATED).toBeUndefined();
      expect(loaded.sources).toEqual({ MASTER_KEY: 'vault', JWT_SECRET: 'vault' });
      expect(vault.requests.at(-1)).toMatchObject({ method: 'GET', path: `/v1/${PATH}`, token: 'hvs.static-token', namespace: 'team-a' });
    } finally {
      vault.namespace = undefined;
    }
  });

  it('accepts the CLI form of the path (secret/proxy → secret/data/proxy)', async () => {
    const loaded = await loadSecrets({ VAULT_ADDR: vault.url, VAULT_TOKEN: 'hvs.static-token', VAULT_SECRET_PATH: 'secret/proxy' });
    expect(loaded.env.MASTER_KEY).toBe('sk-master-from-vault-01');
  });

  it('lets a variable or a file win over Vault', async () => {
    const loaded = await loadSecrets({ VAULT_ADDR: vault.url, VAULT_TOKEN: 'hvs.static-token', VAULT_SECRET_PATH: PATH, MASTER_KEY_FILE: file('wins', 'sk-file-wins-000') });
    expect(loaded.sources).toEqual({ MASTER_KEY: 'file', JWT_SECRET: 'vault' });
    expect(loaded.env.MASTER_KEY).toBe('sk-file-wins-000');
  });

  it('logs in with AppRole (secret id from a file) and reads with the issued token', async () => {
    vault.addAppRole('role-1', 'secret-1', { paths: [PATH] });
    const loaded = await loadSecrets({ VAULT_ADDR: vault.url, VAULT_ROLE_ID: 'role-1', VAULT_SECRET_ID_FILE: file('secret-id', 'secret-1\n'), VAULT_SECRET_PATH: PATH });
    expect(loaded.env.MASTER_KEY).toBe('sk-master-from-vault-01');
    const login = vault.requests.find((request) => request.path === '/v1/auth/approle/login');
    expect(login?.body).toEqual({ role_id: 'role-1', secret_id: 'secret-1' });
    expect(loaded.vaultToken).toMatchObject({ renewable: true, leaseSeconds: 3600 });
    expect(vault.requests.at(-1)).toMatchObject({ path: `/v1/${PATH}`, token: loaded.vaultToken?.token });
  });

  it.each([
    ['a wrong AppRole secret id', { VAULT_ROLE_ID: 'role-1', VAULT_SECRET_ID: 'wrong' }, /log in with the AppRole.*invalid role or secret ID/],
    ['a token without the policy (403)', { VAULT_TOKEN: 'hvs.no-policy' }, /refused to read secret\/data\/proxy \(403 permission denied\).*policy/],
    ['an unknown token (403)', { VAULT_TOKEN: 'hvs.unknown' }, /403 permission denied/],
  ])('explains %s', async (_what, env, message) => {
    const found = await problems({ VAULT_ADDR: vault.url, VAULT_SECRET_PATH: PATH, ...env });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it('explains a missing secret (404) and a sealed Vault (503)', async () => {
    vault.addToken('hvs.other-path', { paths: ['secret/data/absent'] });
    expect((await problems({ VAULT_ADDR: vault.url, VAULT_TOKEN: 'hvs.other-path', VAULT_SECRET_PATH: 'secret/data/absent' }))[0]).toMatch(/404.*VAULT_SECRET_PATH/);
    vault.sealed = true;
    try {
      expect((await problems({ VAULT_ADDR: vault.url, VAULT_TOKEN: 'hvs.static-token', VAULT_SECRET_PATH: PATH }))[0]).toMatch(/503: Vault is sealed\): it is sealed/);
    } finally {
      vault.sealed = false;
    }
  });

  it('names what is missing from the Vault settings', async () => {
    expect(await problems({ VAULT_ADDR: vault.url })).toEqual([
      'VAULT_ADDR is set but VAULT_SECRET_PATH is missing (e.g. secret/data/proxy)',
      'VAULT_ADDR is set but no Vault credentials: set VAULT_TOKEN (or VAULT_TOKEN_FILE), or VAULT_ROLE_ID and VAULT_SECRET_ID (AppRole)',
    ]);
    expect(await problems({ VAULT_ADDR: vault.url, VAULT_SECRET_PATH: PATH, VAULT_ROLE_ID: 'role-1' })).toEqual([
      'VAULT_ROLE_ID is set but VAULT_SECRET_ID (or VAULT_SECRET_ID_FILE) is missing',
    ]);
    expect(await problems({ VAULT_TOKEN: 'x', VAULT_SECRET_PATH: PATH })).toEqual(['VAULT_SECRET_PATH, VAULT_TOKEN set but VAULT_ADDR is missing']);
  });

  it('says Vault is unreachable, naming the address', async () => {
    const found = await problems({ VAULT_ADDR: 'http://127.0.0.1:9', VAULT_TOKEN: 't', VAULT_SECRET_PATH: PATH });
    expect(found[0]).toMatch(/Vault at http:\/\/127\.0\.0\.1:9 is unreachable/);
  });
});

describe('the built server with Vault (AppRole)', () => {
  it('starts with the Vault secret, renews its token, and re-reads Vault on SIGHUP', async () => {
    vault.putSecret('secret/data/server', { MASTER_KEY: 'sk-server-master-vault-1' });
    vault.addAppRole('role-server', 'secret-server', { paths: ['secret/data/server'], ttl: 2 });
    const { url, run } = await startServer({ VAULT_ADDR: vault.url, VAULT_ROLE_ID: 'role-server', VAULT_SECRET_ID: 'secret-server', VAULT_SECRET_PATH: 'secret/data/server' });
    expect(await models(url, 'sk-server-master-vault-1')).toBe(200);
    expect(run.stdout).toContain('"sources":{"MASTER_KEY":"vault"}');
    expect(run.stdout).not.toContain('sk-server-master-vault-1');

    // A 2 s lease is renewed at two thirds of it: wait for the renew-self call itself.
    const renewed = (request: FakeVaultRequest) => request.path === '/v1/auth/token/renew-self';
    if (!vault.requests.some(renewed)) {
      await waitForRequest(renewed, 10_000);
    }

    vault.putSecret('secret/data/server', { MASTER_KEY: 'sk-server-master-vault-2' });
    const reread = waitForRequest((request) => request.path === '/v1/secret/data/server', 10_000);
    run.signal('SIGHUP');
    await reread;
    await run.untilStdout(/secrets re-read \(SIGHUP\)/);
    expect(run.stdout).toMatch(/"changed":\["MASTER_KEY"\]/);
    expect(await models(url, 'sk-server-master-vault-2')).toBe(200);
    expect(run.stdout).not.toContain('sk-server-master-vault-2');
  }, 30_000);

  it('exits 1 with Vault\'s refusal when the token may not read the secret', async () => {
    const run = await runBuiltServer({ PORT: '0', OLLAMA_URL: fake.url, VAULT_ADDR: vault.url, VAULT_TOKEN: 'hvs.no-policy', VAULT_SECRET_PATH: PATH });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Cannot load secrets:\n {2}- Vault refused to read secret\/data\/proxy \(403 permission denied\)/);
  });
});

function waitForRequest(match: (request: FakeVaultRequest) => boolean, timeoutMs: number): Promise<FakeVaultRequest> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      vault.events.off('request', listener);
      reject(new Error(`no matching Vault request within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (request: FakeVaultRequest) => {
      if (!match(request)) return;
      clearTimeout(timer);
      vault.events.off('request', listener);
      resolve(request);
    };
    vault.events.on('request', listener);
  });
}

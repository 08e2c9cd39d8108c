import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatLines } from '../helpers/fake-ollama/chat-lines.js';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startFakeVault, type FakeVault } from '../helpers/fake-vault.js';
import { listeningUrl, runBuiltServer, type ServerRun } from '../helpers/run-built-server.js';

// Issue 18: secrets re-read on SIGHUP apply without a restart where that is safe. The built server runs with
// <NAME>_FILE secrets (and, below, Vault); the files change, SIGHUP is sent, and clients see the new values at
// once, while a stream that was already running finishes untouched.

const MODEL = 'deepseek-r1:7b';
const dir = mkdtempSync(join(tmpdir(), 'proxy-rotation-'));
let fake: FakeOllama;
let vault: FakeVault;
const runs: ServerRun[] = [];

beforeAll(async () => {
  fake = await startFakeOllama();
  vault = await startFakeVault();
});
afterAll(async () => {
  for (const run of runs) run.kill();
  await fake.close();
  await vault.close();
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${text}\n`, { mode: 0o600 });
  return path;
}

async function startServer(env: Record<string, string>): Promise<{ url: string; run: ServerRun }> {
  const run = await runBuiltServer({ PORT: '0', OLLAMA_URL: fake.url, ...env }, /"listening"/);
  runs.push(run);
  const url = listeningUrl(run);
  if (url === undefined) throw new Error(`server did not start: ${run.stderr}`);
  return { url, run };
}

/** Sends SIGHUP and resolves once the server logged the outcome of this (the n-th) reload. */
async function reload(run: ServerRun, nth: number): Promise<void> {
  run.signal('SIGHUP');
  await run.untilStdout(new RegExp(`(secrets re-read \\(SIGHUP\\)|refused \\(SIGHUP\\))(.|\\n)*`.repeat(nth)), 15_000);
}

const models = (url: string, key: string) => fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } }).then((response) => response.status);

describe('SIGHUP with <NAME>_FILE secrets', () => {
  const OLD_MASTER = 'sk-old-master-key-0001';
  const NEW_MASTER = 'sk-new-master-key-0002';
  const OLD_JWT = 'o'.repeat(40);
  const NEW_JWT = 'n'.repeat(40);

  it('applies a new MASTER_KEY and JWT_SECRET at once, keeps old tokens for their lifetime, and finishes an open stream', async () => {
    const masterFile = file('master', OLD_MASTER);
    const jwtFile = file('jwt', OLD_JWT);
    const { url, run } = await startServer({ MASTER_KEY_FILE: masterFile, JWT_SECRET_FILE: jwtFile, LOG_LEVEL: 'info' });
    const created = await fetch(`${url}/api/v1/keys`, {
      method: 'POST', headers: { authorization: `Bearer ${OLD_MASTER}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'app', scopes: ['chat', 'models:read'] }),
    });
    expect(created.status).toBe(201);
    const key = (await created.json()) as { id: string; secret: string };
    const exchange = async () => {
      const response = await fetch(`${url}/api/v1/auth`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: key.id, secret: key.secret }) });
      return ((await response.json()) as { token: string }).token;
    };
    const oldToken = await exchange();
    expect(jwt.verify(oldToken, OLD_JWT)).toBeTruthy();

    // A stream that is running while the secrets rotate.
    fake.script('/api/chat', { kind: 'ndjson', lines: chatLines({ model: MODEL, content: Array.from({ length: 40 }, (_, i) => `t${i} `) }), delayMs: 25 });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: OLD_MASTER, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'count' }], stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);

    file('master', NEW_MASTER);
    file('jwt', NEW_JWT);
    await reload(run, 1);
    expect(await models(url, OLD_MASTER)).toBe(401);
    expect(await models(url, NEW_MASTER)).toBe(200);
    // New tokens are signed with the new secret; the one issued before still works (grace: JWT_TTL_SECONDS).
    const newToken = await exchange();
    expect(jwt.verify(newToken, NEW_JWT)).toBeTruthy();
    expect(() => jwt.verify(newToken, OLD_JWT)).toThrow();
    expect(await models(url, newToken)).toBe(200);
    expect(await models(url, oldToken)).toBe(200);
    // A token forged with a secret that was never configured is still refused.
    const forged = jwt.sign({ sub: key.id, scope: 'chat models:read', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60, jti: 'x' }, 'f'.repeat(40));
    expect(await models(url, forged)).toBe(401);

    let text = '';
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) text += next.value.choices[0]?.delta.content ?? '';
    expect(`${first.value.choices[0]?.delta.content ?? ''}${text}`).toContain('t39 ');

    expect(run.stdout).toMatch(/"applied":\["MASTER_KEY","JWT_SECRET"\]/);
    expect(run.stdout).not.toMatch(/MASTER_KEY changed; it takes effect at the next restart/);
    for (const secret of [OLD_MASTER, NEW_MASTER, OLD_JWT, NEW_JWT]) expect(run.stdout).not.toContain(secret);
  }, 40_000);

  it('names ENCRYPTION_KEY as taking effect at restart, and keeps the running values when a new one is invalid', async () => {
    const masterFile = file('master-2', OLD_MASTER);
    const encryptionFile = file('encryption', 'a'.repeat(64));
    const { url, run } = await startServer({ MASTER_KEY_FILE: masterFile, ENCRYPTION_KEY_FILE: encryptionFile });
    file('encryption', 'b'.repeat(64));
    await reload(run, 1);
    await run.untilStdout(/ENCRYPTION_KEY changed; it takes effect at the next restart/);
    expect(run.stdout).toMatch(/"variable":"ENCRYPTION_KEY"/);
    expect(run.stdout).not.toContain('b'.repeat(64));

    // Too short for MASTER_KEY (min 8): refused by the same validation as at start; the old key keeps working.
    file('master-2', 'short');
    await reload(run, 2);
    expect(run.stdout).toMatch(/re-read secrets refused \(SIGHUP\); the running values stay/);
    expect(run.stdout).toMatch(/MASTER_KEY.*must be at least 8 characters/);
    expect(run.stdout).not.toContain('"short"');
    expect(await models(url, OLD_MASTER)).toBe(200);
  }, 40_000);
});

describe('SIGHUP with Vault', () => {
  it('refuses the old MASTER_KEY and accepts the new one as soon as Vault has it', async () => {
    vault.putSecret('secret/data/rotate', { MASTER_KEY: 'sk-vault-master-one-01' });
    vault.addToken('hvs.rotate', { paths: ['secret/data/rotate'] });
    const { url, run } = await startServer({ VAULT_ADDR: vault.url, VAULT_TOKEN: 'hvs.rotate', VAULT_SECRET_PATH: 'secret/data/rotate' });
    expect(await models(url, 'sk-vault-master-one-01')).toBe(200);
    vault.putSecret('secret/data/rotate', { MASTER_KEY: 'sk-vault-master-two-02' });
    await reload(run, 1);
    expect(await models(url, 'sk-vault-master-one-01')).toBe(401);
    expect(await models(url, 'sk-vault-master-two-02')).toBe(200);
    expect(run.stdout).not.toContain('sk-vault-master-two-02');
  }, 30_000);
});

import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { dropSchemas, keyStoreBackends } from '../../helpers/key-store-backends.js';
import { listeningUrl, runBuiltServer, type ServerRun } from '../../helpers/run-built-server.js';

// Issue 12, defect 7: a key revoked, rotated or re-scoped by another process sharing the key store (the
// CLI, a second instance) stops working on this instance within 1 s, although this instance had just
// authenticated it (and cached that). Two real processes each time; the store is SQLite on one file or
// PostgreSQL. The wait polls the first instance until it refuses, with a 1 s deadline from the change.

const CLI = resolve(import.meta.dirname, '../../../dist/cli/main.js');
const MASTER_KEY = 'sk-master-key-change-propagation';
const DEADLINE_MS = 1_000;
const runCli = promisify(execFile);

let fake: FakeOllama;
const runs: ServerRun[] = [];
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(async () => {
  for (const run of runs) run.kill();
  // Their PostgreSQL sessions (and the LISTEN one) must be gone before the schemas are dropped.
  await Promise.all(runs.map((run) => run.exited));
  await fake.close();
  await dropSchemas();
});

async function startServer(env: Record<string, string>): Promise<string> {
  const run = await runBuiltServer({ PORT: '0', OLLAMA_URL: fake.url, MASTER_KEY, KEY_CACHE_TTL_MS: '60000', ...env }, /"listening"/);
  runs.push(run);
  const url = listeningUrl(run);
  if (url === undefined) throw new Error(`server did not start: ${run.stderr}`);
  return url;
}

async function createKey(url: string): Promise<{ id: string; secret: string }> {
  const response = await fetch(`${url}/api/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'app', scopes: ['models:read', 'chat'] }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; secret: string };
}

const listModels = (url: string, secret: string) => fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });

/** Polls until the instance refuses the secret with `status`; returns ms from `since`, or fails at the deadline. */
async function refusedWithin(url: string, secret: string, status: number, since: number): Promise<number> {
  for (;;) {
    const response = await listModels(url, secret);
    await response.arrayBuffer();
    const elapsed = performance.now() - since;
    if (response.status === status) return elapsed;
    expect(response.status, `still ${response.status} after ${Math.round(elapsed)} ms`).toBe(200);
    if (elapsed > DEADLINE_MS) throw new Error(`still accepted ${Math.round(elapsed)} ms after the change`);
  }
}

/** The key works on the watched instance, twice, so its authentication is cached there. */
async function warm(url: string, secret: string): Promise<void> {
  for (let round = 0; round < 2; round++) expect((await listModels(url, secret)).status).toBe(200);
}

const backends = await keyStoreBackends();

// Spawning servers and the CLI is slow on a loaded machine; only the 1 s after each change is measured.
describe.each(backends)('key changes across processes ($name)', { timeout: 60_000 }, (backend) => {
  let env: Record<string, string>;
  let first: string;
  let second: string;
  const applicationName = `oop-key-change-${process.pid}-${backend.name}`;
  beforeAll(async () => {
    env = await backend.env();
    // Tags the instances' PostgreSQL sessions, so one test can cut exactly their notification connections.
    if (env.DATABASE_URL) env.DATABASE_URL += `&application_name=${applicationName}`;
    env.DATA_DIR = mkdtempSync(join(tmpdir(), 'key-change-'));
    [first, second] = await Promise.all([startServer(env), startServer(env)]);
  }, 90_000);

  it('a key revoked with the CLI is refused by the running server within 1 s', async () => {
    const { id, secret: key } = await createKey(first);
    await warm(first, key);
    await runCli(process.execPath, [CLI, 'keys', 'revoke', id], { env: { PATH: process.env.PATH ?? '', ...env } });
    const elapsed = await refusedWithin(first, key, 401, performance.now());
    expect(elapsed).toBeLessThan(DEADLINE_MS);
  });

  it('a key revoked on another instance is refused by this one within 1 s', async () => {
    const { id, secret: key } = await createKey(first);
    await warm(first, key);
    const revoked = await fetch(`${second}/api/v1/keys/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${MASTER_KEY}` } });
    const since = performance.now();
    expect(revoked.status).toBe(200);
    expect(await refusedWithin(first, key, 401, since)).toBeLessThan(DEADLINE_MS);
  });

  it('a secret rotated with the CLI (no grace) stops working within 1 s', async () => {
    const { id, secret: key } = await createKey(first);
    await warm(first, key);
    const { stdout } = await runCli(process.execPath, [CLI, 'keys', 'rotate', id, '--grace', '0', '--json'], { env: { PATH: process.env.PATH ?? '', ...env } });
    const since = performance.now();
    const rotated = JSON.parse(stdout) as { secret: string };
    expect(await refusedWithin(first, key, 401, since)).toBeLessThan(DEADLINE_MS);
    expect((await listModels(first, rotated.secret)).status).toBe(200);
  });

  it('a scope taken away on another instance is enforced by this one within 1 s', async () => {
    const { id, secret: key } = await createKey(first);
    await warm(first, key);
    const patched = await fetch(`${second}/api/v1/keys/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: ['chat'] }),
    });
    const since = performance.now();
    expect(patched.status).toBe(200);
    expect(await refusedWithin(first, key, 403, since)).toBeLessThan(DEADLINE_MS);
  });

  it.runIf(backend.name === 'postgres')('keeps revocations within 1 s while its LISTEN connection is cut, and listens again after', async () => {
    const admin = new pg.Client({ connectionString: env.DATABASE_URL!.replace(/\?.*$/, '') });
    await admin.connect();
    try {
      const cut = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = $1 AND query LIKE 'LISTEN%'`, [applicationName]);
      expect(cut.rowCount).toBe(2);
    } finally {
      await admin.end();
    }
    const { id, secret: key } = await createKey(first);
    await warm(first, key);
    const revoked = await fetch(`${second}/api/v1/keys/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${MASTER_KEY}` } });
    expect(revoked.status).toBe(200);
    expect(await refusedWithin(first, key, 401, performance.now())).toBeLessThan(DEADLINE_MS);

    // Listening again: a key authenticated (and cached) after the reconnection is revoked elsewhere in < 1 s.
    const listening = async () => {
      const probe = new pg.Client({ connectionString: env.DATABASE_URL!.replace(/\?.*$/, '') });
      await probe.connect();
      try {
        return (await probe.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`, [applicationName])).rowCount;
      } finally {
        await probe.end();
      }
    };
    const since = performance.now();
    while ((await listening()) !== 2) if (performance.now() - since > 10_000) throw new Error('the instances did not LISTEN again');
    const again = await createKey(first);
    await warm(first, again.secret);
    const revokedAgain = await fetch(`${second}/api/v1/keys/${again.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${MASTER_KEY}` } });
    expect(revokedAgain.status).toBe(200);
    expect(await refusedWithin(first, again.secret, 401, performance.now())).toBeLessThan(DEADLINE_MS);
  });
});

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createAccessControl } from '../../src/create-access-control.js';
import { silentLogger } from '../../src/core/logger.js';
import { leakedSecrets } from '../helpers/access-app.js';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { dropSchemas, keyStoreBackends } from '../helpers/key-store-backends.js';
import { startTestApp } from '../helpers/test-app.js';

// First start: no MASTER_KEY and no keys → an admin key in DATA_DIR/admin.key (0600), printed once on the
// terminal and never logged. AUTH_DISABLED=true is the only way to run open, and it says so at start.

const MAIN = resolve(import.meta.dirname, '../../dist/main.js');
const root = mkdtempSync(join(tmpdir(), 'auth-bootstrap-'));
let fake: FakeOllama;
let counter = 0;
const freshDir = () => join(root, `data-${++counter}`);

beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(async () => {
  await fake.close();
  await dropSchemas();
  rmSync(root, { recursive: true, force: true });
});

const get = (url: string, key?: string) => fetch(url, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });

describe('first start without MASTER_KEY', () => {
  it('creates an admin key, saves it to DATA_DIR/admin.key (0600) and the key works for every scope', async () => {
    const dataDir = freshDir();
    const app = await startTestApp({ ollamaUrl: fake.url, env: { DATA_DIR: dataDir, AUTH_DISABLED: 'false' } });
    try {
      const path = join(dataDir, 'admin.key');
      const secret = readFileSync(path, 'utf8').trim();
      expect(secret).toMatch(/^sk-/);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(app.bootstrapNotice).toContain(secret);
      expect(app.bootstrapNotice).toContain(path);
      expect((await get(`${app.url}/v1/models`)).status).toBe(401);
      expect((await get(`${app.url}/v1/models`, secret)).status).toBe(200);
      expect((await get(`${app.url}/api/v1/keys`, secret)).status).toBe(200);
      expect((await get(`${app.url}/api/tags`, secret)).status).toBe(200);
      const notice = app.logs.find((line) => line.includes('created the first admin key'));
      expect(notice).toBeDefined();
      expect(leakedSecrets(app.logs, [secret])).toEqual([]);
    } finally {
      await app.close();
    }
    const again = await startTestApp({ ollamaUrl: fake.url, env: { DATA_DIR: dataDir, AUTH_DISABLED: 'false' } });
    try {
      expect(again.bootstrapNotice).toBeUndefined();
      expect((await get(`${again.url}/v1/models`, readFileSync(join(dataDir, 'admin.key'), 'utf8').trim())).status).toBe(200);
    } finally {
      await again.close();
    }
  });

  it('creates nothing when MASTER_KEY is set', async () => {
    const dataDir = freshDir();
    const app = await startTestApp({ ollamaUrl: fake.url, env: { DATA_DIR: dataDir, MASTER_KEY: 'master-key-0123456789' } });
    try {
      expect(app.bootstrapNotice).toBeUndefined();
      expect(existsSync(join(dataDir, 'admin.key'))).toBe(false);
      expect((await get(`${app.url}/api/v1/keys`, 'master-key-0123456789')).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('creates one admin key, not two, when two instances start on the same empty PostgreSQL', async () => {
    const postgres = (await keyStoreBackends()).find((backend) => backend.name === 'postgres');
    if (postgres === undefined) return;
    const env = await postgres.env();
    const start = (dataDir: string) => createAccessControl(loadConfig({ ...env, DATA_DIR: dataDir }), { logger: silentLogger });
    const instances = await Promise.all([start(freshDir()), start(freshDir())]);
    try {
      expect(instances.filter((instance) => instance.bootstrapped !== null)).toHaveLength(1);
      expect(await instances[0]!.keys.countKeys()).toBe(1);
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
    }
  });
});

describe('AUTH_DISABLED=true', () => {
  it('serves every route without a key and warns at start', async () => {
    const app = await startTestApp({ ollamaUrl: fake.url, env: { AUTH_DISABLED: 'true' } });
    try {
      expect((await get(`${app.url}/v1/models`)).status).toBe(200);
      expect((await get(`${app.url}/api/v1/keys`)).status).toBe(200);
      const warning = app.logs.map((line) => JSON.parse(line) as { level: string; message: string }).find((line) => line.message.includes('AUTH_DISABLED'));
      expect(warning?.level).toBe('warn');
      expect(app.bootstrapNotice).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

interface Run {
  stdout: string;
  stop(): Promise<void>;
}

/** Spawns `node dist/main.js` (built by the global setup) and waits until stdout matches. */
function runServer(env: Record<string, string>, until: RegExp, { tty = false } = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const fullEnv = { PATH: process.env.PATH ?? '', PORT: '0', OLLAMA_URL: fake.url, ...env };
    // util-linux `script` gives the server a pseudo-terminal as stdout, as an operator's shell would.
    const [command, args] = tty ? ['script', ['-qfec', `exec ${process.execPath} ${MAIN}`, '/dev/null']] as const : [process.execPath, [MAIN]] as const;
    const child = spawn(command, args, { env: { ...fullEnv, SHELL: '/bin/sh' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const run: Run = { stdout: '', stop: async () => void (child.kill('SIGTERM'), await exited) };
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      run.stdout += chunk.toString();
      if (until.test(run.stdout)) resolvePromise(run);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
}

describe('the built command line', () => {
  it('is executable as `npx ollama-openai-proxy` runs it, and sees the server\'s keys', async () => {
    const dataDir = freshDir();
    const app = await startTestApp({ ollamaUrl: fake.url, env: { DATA_DIR: dataDir, AUTH_DISABLED: 'false' } });
    await app.close();
    const output = await new Promise<string>((resolvePromise, reject) => {
      execFile(resolve(import.meta.dirname, '../../dist/cli/main.js'), ['keys', 'list', '--json'], { env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir } },
        (error, stdout) => (error ? reject(error) : resolvePromise(stdout)));
    });
    expect((JSON.parse(output) as Array<{ name: string }>).map((key) => key.name)).toEqual(['admin (created at first start)']);
  });
});

describe('the server process (npm start)', () => {
  it('prints the bootstrapped key once on an interactive terminal, keeps it out of every log line, and the key works', async () => {
    const dataDir = freshDir();
    const first = await runServer({ DATA_DIR: dataDir }, /Create keys for your apps[\s\S]*once the secret/, { tty: true });
    let secret: string;
    try {
      secret = /^\s+(sk-\S+)\r?$/m.exec(first.stdout)![1]!;
      expect(readFileSync(join(dataDir, 'admin.key'), 'utf8').trim()).toBe(secret);
      expect(statSync(join(dataDir, 'admin.key')).mode & 0o777).toBe(0o600);
      const logLines = first.stdout.split(/\r?\n/).filter((line) => line.startsWith('{'));
      expect(logLines.some((line) => line.includes('"listening"'))).toBe(true);
      expect(leakedSecrets(logLines, [secret])).toEqual([]);
      const url = /"url":"([^"]+)"/.exec(first.stdout)![1]!;
      expect((await get(`${url}/v1/models`, secret)).status).toBe(200);
      expect((await get(`${url}/v1/models`)).status).toBe(401);
    } finally {
      await first.stop();
    }
    const second = await runServer({ DATA_DIR: dataDir }, /"listening"/);
    try {
      expect(second.stdout).not.toContain(secret);
      expect(second.stdout).not.toContain('admin key was created');
    } finally {
      await second.stop();
    }
  });

  it('writes only the path of admin.key, never the secret, when stdout is a pipe (a log stream)', async () => {
    const dataDir = freshDir();
    const run = await runServer({ DATA_DIR: dataDir }, /admin key was created.*\n/);
    try {
      const secret = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
      expect(secret).toMatch(/^sk-/);
      expect(run.stdout).not.toContain(secret);
      expect(run.stdout).not.toContain(secret.slice(3, 15));
      const notice = run.stdout.split('\n').filter((line) => line.includes('admin key was created'));
      expect(notice).toHaveLength(1);
      expect(JSON.parse(notice[0]!)).toMatchObject({ level: 'warn', path: join(dataDir, 'admin.key') });
      const url = /"url":"([^"]+)"/.exec(run.stdout)![1]!;
      expect((await get(`${url}/v1/models`, secret)).status).toBe(200);
    } finally {
      await run.stop();
    }
  });
});

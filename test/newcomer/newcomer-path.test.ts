import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';

// A newcomer's first hour, scripted from the README itself: a fresh clone of the committed HEAD, start with the
// README's commands, the first key with the README's command, then every client example the README marks
// `<!-- runnable: file.mjs -->`, run as written (only the address is the test server's ephemeral port) against
// the project's fake Ollama.
// Not done as a newcomer would: `npm install` is replaced by a link to this checkout's node_modules (a full
// `npm ci --offline` from the cache takes minutes here, compiling better-sqlite3); everything after is real,
// including `npm start` compiling the fresh clone.

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'newcomer-'));
const clone = join(work, 'ollama-openai-proxy');
const README_URL = 'http://127.0.0.1:8000';
let fake: FakeOllama;
let server: ChildProcess | undefined;
let url = '';
let readme = '';

/** The code block right after a marker comment, e.g. `<!-- runnable: try.mjs -->`. */
function blocksAfter(marker: RegExp): Array<{ attributes: string; code: string }> {
  const pattern = new RegExp(`<!-- ${marker.source} -->\\n\`\`\`(?:sh|js)\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...readme.matchAll(pattern)].map((match) => ({ attributes: match[1] ?? '', code: match[2] ?? '' }));
}

const commands = (code: string) => code.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean);

beforeAll(async () => {
  fake = await startFakeOllama();
  await run('git', ['clone', '--quiet', repo, clone]);
  symlinkSync(realpathSync(join(repo, 'node_modules')), join(clone, 'node_modules'));
  readme = readFileSync(join(clone, 'README.md'), 'utf8');
}, 60_000);
afterAll(async () => {
  if (server?.pid !== undefined) process.kill(-server.pid, 'SIGTERM');
  await fake.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the README, followed from a fresh clone', () => {
  it('starts with the Quick start commands (npm start compiles the clone once)', async () => {
    const [start] = blocksAfter(/newcomer: (start)/);
    const steps = commands(start!.code);
    expect(steps).toEqual(['npm install', 'npm start']);
    const [program, ...args] = steps[1]!.split(' ');
    server = spawn(program!, args, {
      cwd: clone,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work, PORT: '0', OLLAMA_URL: fake.url },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    server.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    url = await new Promise<string>((resolveUrl, reject) => {
      server!.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /"url":"([^"]+)"[^\n]*"message":"listening"/.exec(out);
        if (match && out.includes('data/admin.key')) resolveUrl(match[1]!);
      });
      server!.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
    });
    expect(out).toContain('No build yet: building');
    expect((await fetch(`${url}/health`)).status).toBe(200);
  }, 150_000);

  let appKey = '';
  it('creates the first key with the README\'s command, which can call every client example', async () => {
    const [firstKey] = blocksAfter(/newcomer: (first-key)/);
    const [command] = commands(firstKey!.code);
    const [program, ...args] = command!.split(' ');
    const { stdout, stderr } = await run(program!, args, { cwd: clone, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work } });
    expect(stderr).toContain(`Key store: SQLite ${join(realpathSync(clone), 'data', 'proxy.db')}`);
    appKey = /\bsk-[A-Za-z0-9_-]{20,}/.exec(stdout)?.[0] ?? '';
    expect(appKey).not.toBe('');
    expect(stdout).toMatch(/Scopes:\s+chat, completions, embeddings, models:read/);
  }, 60_000);

  it('runs every runnable client example as written', async () => {
    const examples = blocksAfter(/runnable: ([^\n]*?)/);
    expect(examples.map(({ attributes }) => attributes.split(' ')[0])).toEqual(
      expect.arrayContaining(['stream.mjs', 'langchain.mjs', 'vercel-ai.mjs', 'try.mjs', 'ollama-native.mjs', 'session.mjs']),
    );
    const adminKey = readFileSync(join(clone, 'data', 'admin.key'), 'utf8').trim();
    for (const { attributes, code } of examples) {
      const [file, ...options] = attributes.split(' ');
      expect(code).toContain(README_URL);
      writeFileSync(join(clone, file!), code.replaceAll(README_URL, url));
      const key = options.includes('key=admin') ? adminKey : appKey;
      const result = await run(process.execPath, [file!], { cwd: clone, env: { PATH: process.env.PATH ?? '', PROXY_KEY: key } }).catch(
        (error: { stdout?: string; stderr?: string; message: string }) => ({ stdout: '', stderr: `${error.message}\n${error.stderr ?? ''}` }),
      );
      expect(result.stderr, file).toBe('');
      expect(result.stdout.trim().length, file).toBeGreaterThan(0);
    }
  }, 120_000);
});

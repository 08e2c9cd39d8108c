import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';

// The built server (dist/, compiled by the global setup) loads operator plugins as plain .mjs modules.
const MAIN = resolve(import.meta.dirname, '../../dist/main.js');
const FIXTURES = resolve(import.meta.dirname, '../fixtures/plugins');
const KEY = 'sk-built-plugin-test-key';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  kill(): void;
}

function runMain(env: Record<string, string>, untilStdout?: RegExp): Promise<Run> {
  return new Promise((resolvePromise) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'proxy-plugins-'));
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { code: null, stdout: '', stderr: '', kill: () => child.kill('SIGTERM') };
    child.stdout.on('data', (chunk: Buffer) => {
      run.stdout += chunk.toString();
      if (untilStdout?.test(run.stdout)) resolvePromise(run);
    });
    child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
    child.on('exit', (code) => {
      run.code = code;
      resolvePromise(run);
    });
  });
}

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(() => fake.close());

describe('operator plugins in the built server', () => {
  it('loads a .mjs plugin from PLUGINS and runs it on every chat request', async () => {
    const run = await runMain({ OLLAMA_URL: fake.url, MASTER_KEY: KEY, PLUGINS: join(FIXTURES, 'tag-built.mjs') }, /"listening"/);
    try {
      expect(run.stdout).toContain('"plugins registered"');
      const url = /"url":"([^"]+)"/.exec(run.stdout)?.[1];
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'deepseek-v3.1:671b', messages: [{ role: 'user', content: 'hello' }] }),
      });
      expect(response.status).toBe(200);
      const chat = fake.requests.find((request) => request.path === '/api/chat')!.body as { messages: { content: string }[] };
      expect(chat.messages.at(-1)!.content).toBe('from the built plugin');
    } finally {
      run.kill();
    }
  });

  it('refuses to start when a plugin module cannot be loaded, naming it without a stack trace', async () => {
    const run = await runMain({ OLLAMA_URL: fake.url, MASTER_KEY: KEY, PLUGINS: './plugins/missing.mjs' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("plugins.enabled (PLUGINS): './plugins/missing.mjs': cannot import the module");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

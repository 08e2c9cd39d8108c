import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';

const MAIN = resolve(import.meta.dirname, '../../dist/main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runMain(env: Record<string, string>, untilStdout?: RegExp): Promise<Run & { kill(): void }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const run = { code: null as number | null, stdout: '', stderr: '', kill: () => child.kill('SIGTERM') };
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

describe('the server process', () => {
  it('refuses to start on invalid configuration, listing every problem', async () => {
    const run = await runMain({ PORT: 'abc', OLLAMA_URL: 'not a url', LOG_LEVEL: 'chatty' });
    expect(run.code).not.toBe(0);
    for (const name of ['PORT', 'OLLAMA_URL', 'LOG_LEVEL']) expect(run.stderr).toContain(name);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('starts with the defaults and answers /health', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'proxy-start-'));
    const run = await runMain({ PORT: '0', OLLAMA_URL: fake.url, DATA_DIR: dataDir, MASTER_KEY: 'sk-startup-test-key' }, /"listening"/);
    try {
      const url = /"url":"([^"]+)"/.exec(run.stdout)?.[1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
    } finally {
      run.kill();
    }
  });
});

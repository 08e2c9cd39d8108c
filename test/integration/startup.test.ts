import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { listeningUrl, runBuiltServer } from '../helpers/run-built-server.js';

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(() => fake.close());

describe('the server process', () => {
  it('refuses to start on invalid configuration, listing every problem', async () => {
    const run = await runBuiltServer({ PORT: 'abc', OLLAMA_URL: 'not a url', LOG_LEVEL: 'chatty' });
    expect(run.code).not.toBe(0);
    for (const name of ['PORT', 'OLLAMA_URL', 'LOG_LEVEL']) expect(run.stderr).toContain(name);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('starts with the defaults and answers /health', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'proxy-start-'));
    const run = await runBuiltServer({ PORT: '0', OLLAMA_URL: fake.url, DATA_DIR: dataDir, MASTER_KEY: 'sk-startup-test-key' }, /"listening"/);
    try {
      const url = listeningUrl(run);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
    } finally {
      run.kill();
    }
  });
});

import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { listeningUrl, runBuiltServer } from '../helpers/run-built-server.js';

// The built server (dist/, compiled by the global setup) loads operator plugins as plain .mjs modules.
const FIXTURES = resolve(import.meta.dirname, '../fixtures/plugins');
const KEY = 'sk-built-plugin-test-key';

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(() => fake.close());

describe('operator plugins in the built server', () => {
  it('loads a .mjs plugin from PLUGINS and runs it on every chat request', async () => {
    const run = await runBuiltServer({ OLLAMA_URL: fake.url, MASTER_KEY: KEY, PLUGINS: join(FIXTURES, 'tag-built.mjs') }, /"listening"/);
    try {
      expect(run.stdout).toContain('"plugins registered"');
      const url = listeningUrl(run);
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
    const run = await runBuiltServer({ OLLAMA_URL: fake.url, MASTER_KEY: KEY, PLUGINS: './plugins/missing.mjs' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("plugins.enabled (PLUGINS): './plugins/missing.mjs': cannot import the module");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { runBuiltServer } from '../../helpers/run-built-server.js';
import { unusedPort } from '../../helpers/unused-port.js';

// What the server says at start-up about each Ollama host and the DeepSeek model names (built server, real stdout).

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama({ version: '0.12.6' });
});
afterAll(() => fake.close());

const lines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('the start-up report', () => {
  it('logs one line per Ollama host (reachable, version, models) and how the aliases resolve', async () => {
    const port = await unusedPort();
    const down = `http://127.0.0.1:${port}`;
    const run = await runBuiltServer({ PORT: '0', OLLAMA_URL: `${fake.url},${down}`, MASTER_KEY: 'sk-startup-report-key' }, /Model aliases/);
    try {
      const report = lines(run.stdout).filter((line) => line.check === 'ollama');
      const up = report.find((line) => line.url === fake.url);
      expect(up).toMatchObject({ level: 'info', reachable: true, version: '0.12.6', models: expect.arrayContaining(['deepseek-r1:7b']) });
      expect(up?.message).toMatch(new RegExp(`^Ollama at ${fake.url}: reachable, version 0\\.12\\.6, \\d+ models: deepseek-r1:7b`));
      expect(report.find((line) => line.url === down)).toMatchObject({
        level: 'warn',
        reachable: false,
        message: `Ollama at ${down}: not reachable (ECONNREFUSED). Start Ollama (\`ollama serve\`), or set OLLAMA_URL to the address where it runs.`,
      });
      const aliases = report.find((line) => String(line.message).startsWith('Model aliases'));
      expect(aliases?.aliases).toMatchObject({ 'deepseek-chat': expect.stringMatching(/^deepseek-v3/), 'deepseek-reasoner': expect.stringMatching(/^deepseek-r1:/) });
      // The report follows the 'listening' line: start-up never waits for Ollama.
      expect(run.stdout.indexOf('"listening"')).toBeLessThan(run.stdout.indexOf('Model aliases'));
    } finally {
      run.kill();
    }
  });
});

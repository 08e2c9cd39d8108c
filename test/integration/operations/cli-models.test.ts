import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// `models list|pull|load|unload` as a user runs them, against a running proxy (real app, fake Ollama).

const KEY = 'sk-test-master-key-cli-0123456789';
let fake: FakeOllama;
let app: TestApp;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY } });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

async function cli(argv: string[], env: Record<string, string> = { PROXY_URL: app.url, PROXY_KEY: KEY }) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { env, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe('models CLI', () => {
  it('lists installed models as a table and as JSON', async () => {
    const table = await cli(['models', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+SIZE\s+CONTEXT\s+CAPABILITIES\s+LOADED\s+VRAM$/m);
    expect(table.stdout).toMatch(/^deepseek-r1:7b\s+4\.4 GiB\s+131072\s+completion,thinking\s+no\s+-$/m);
    const json = await cli(['models', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'qwen3:8b', loaded: false })]));
  });

  it('pulls with a progress bar on stderr', async () => {
    const result = await cli(['models', 'pull', 'llama3.2:1b']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Pulled llama3.2:1b.\n');
    expect(result.stderr).toMatch(/^Proxy: http:\/\/127\.0\.0\.1:\d+ \(from PROXY_URL\)\npulling manifest\n/);
    expect(result.stderr).toMatch(/\r\[#{30}\] 100%  4\.6 GiB \/ 4\.6 GiB  pulling [0-9a-f]{12}/);
    expect(result.stderr).toMatch(/success\n$/);
    expect(fake.models.map((model) => model.name)).toContain('llama3.2:1b');
    expect(fake.loaded).toEqual([]);
  });

  it('loads on a GPU within a memory limit and says what it decided', async () => {
    const result = await cli(['models', 'load', 'deepseek-r1:7b', '--gpu', '1', '--memory-limit', '2G', '--keep-alive=-1']);
    expect(result).toMatchObject({ code: 0, stderr: `Proxy: ${app.url} (from PROXY_URL)\n` });
    expect(result.stdout).toMatch(/^Loaded deepseek-r1:7b on GPU 1 with num_gpu 11\.\nmemory_limit 2G .* holds 11 of 29 layers/);
    expect(fake.requests.find((request) => request.path === '/api/generate')!.body).toMatchObject({ keep_alive: -1, options: { main_gpu: 1, num_gpu: 11 } });
    expect((await cli(['models', 'list'])).stdout).toMatch(/^deepseek-r1:7b\s+.*\s+yes\s+4\.4 GiB$/m);
  });

  it('unloads', async () => {
    await cli(['models', 'load', 'qwen3:8b']);
    expect(await cli(['models', 'unload', 'qwen3:8b'])).toMatchObject({ code: 0, stdout: 'Unloaded qwen3:8b.\n' });
    expect(fake.loaded).toEqual([]);
  });

  it('reports the proxy\'s errors and exits 1', async () => {
    expect(await cli(['models', 'load', 'deepseek-r1:7b', '--memory-limit', '1M'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/\nerror: --memory-limit 1M .* smaller than one layer/) });
    expect(await cli(['models', 'pull', 'doesnotexist:1b'])).toMatchObject({ code: 1, stderr: expect.stringContaining("error: The model 'doesnotexist:1b' does not exist") });
    expect(await cli(['models', 'list'], { PROXY_URL: app.url, PROXY_KEY: 'wrong-key-000' })).toMatchObject({ code: 1, stderr: expect.stringContaining('error: Incorrect API key') });
  });

  it('says when the proxy cannot be reached', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const result = await cli(['models', 'list'], { PROXY_URL: url });
    expect(result).toMatchObject({ code: 1, stderr: expect.stringContaining(`cannot reach the proxy at ${url} (ECONNREFUSED)`) });
  });

  it('checks its arguments', async () => {
    expect(await cli(['models', 'load'])).toMatchObject({ code: 2, stderr: expect.stringContaining('exactly one model name') });
    expect(await cli(['models', 'load', 'x', '--gpu', 'first'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--gpu must be a whole number') });
    expect(await cli(['models', 'dance'])).toMatchObject({ code: 2 });
    expect(await cli(['models', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('--memory-limit SIZE') });
  });
});

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { unusedPort } from '../../helpers/unused-port.js';

// The CLI a newcomer meets: version, typos, presets, `keys update`, where the store and the server are, doctor.

const root = mkdtempSync(join(tmpdir(), 'cli-first-hour-'));
let fake: FakeOllama;
let counter = 0;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(async () => {
  await fake.close();
  rmSync(root, { recursive: true, force: true });
});

interface CliResult { code: number; stdout: string; stderr: string }

async function cli(argv: string[], env: Record<string, string> = {}, cwd = root): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { env, cwd, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

const freshDir = () => join(root, `data-${++counter}`);

describe('CLI basics', () => {
  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8')) as { version: string };
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `ollama-openai-proxy ${version}\n`, stderr: '' });
  });

  it('suggests the command meant by a typo', async () => {
    const result = await cli(['kyes', 'list']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown command 'kyes'. Did you mean 'keys'?");
  });

  it('suggests the flag meant by a typo, and the subcommand', async () => {
    const flag = await cli(['keys', 'create', '--name', 'a', '--scope', 'chat'], { DATA_DIR: freshDir() });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--scope'. Did you mean --scopes?");
    const sub = await cli(['keys', 'updat', 'key_x'], { DATA_DIR: freshDir() });
    expect(sub.stderr).toContain("Did you mean 'keys update'?");
  });

  it('names the flag, not the API field, in errors', async () => {
    const result = await cli(['keys', 'create', '--name', 'a', '--scopes', 'chat', '--expires', 'soon'], { DATA_DIR: freshDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Key store: .*\nerror: --expires: Invalid duration 'soon'/);
    expect(result.stderr).not.toContain('expires_in');
    const scope = await cli(['keys', 'create', '--name', 'a', '--scopes', 'chatt'], { DATA_DIR: freshDir() });
    expect(scope.stderr).toContain("error: --scopes: Unknown scope 'chatt'; valid scopes are chat, completions, embeddings, models:read, ollama, admin. Did you mean 'chat'?");
  });
});

describe('keys create --preset app and keys update', () => {
  it('creates an app key that covers chat, completions, embeddings and models:read, saying which store it used', async () => {
    const dataDir = freshDir();
    const result = await cli(['keys', 'create', '--name', 'my-app', '--preset', 'app', '--json'], { DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ scopes: ['chat', 'completions', 'embeddings', 'models:read'] });
    expect(result.stderr).toBe(`Key store: SQLite ${join(dataDir, 'proxy.db')} (from DATA_DIR)\n`);
  });

  it('changes scopes, models, tier, expiry and the key\'s own limits, leaving the rest', async () => {
    const env = { DATA_DIR: freshDir() };
    const { id } = JSON.parse((await cli(['keys', 'create', '--name', 'k', '--scopes', 'chat', '--json'], env)).stdout) as { id: string };
    const first = await cli(['keys', 'update', id, '--scopes', 'chat,embeddings', '--models', 'deepseek-*', '--tier', 'team',
      '--expires', '30d', '--requests-per-minute', '100', '--tokens-per-day', '5000', '--json'], env);
    expect(first.code).toBe(0);
    const updated = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(updated).toMatchObject({ name: 'k', scopes: ['chat', 'embeddings'], models: ['deepseek-*'], tier: 'team', limits: { requests_per_minute: 100, tokens_per_day: 5000 } });
    expect(Date.parse(updated.expires_at as string)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const merged = JSON.parse((await cli(['keys', 'update', id, '--burst', '0', '--json'], env)).stdout) as Record<string, unknown>;
    expect(merged.limits).toEqual({ requests_per_minute: 100, tokens_per_day: 5000, burst: 0 });
    const cleared = JSON.parse((await cli(['keys', 'update', id, '--clear-limits', '--models', 'all', '--expires', 'never', '--tier', 'default', '--json'], env)).stdout) as Record<string, unknown>;
    expect(cleared).toMatchObject({ limits: null, models: null, expires_at: null, tier: null, scopes: ['chat', 'embeddings'] });
    const human = await cli(['keys', 'update', id, '--requests-per-minute', '7'], env);
    expect(human.stdout).toContain('Own limits:');
    expect(human.stdout).toContain('requestsPerMinute 7');
  });

  it('refuses an update without options and a non-numeric limit', async () => {
    const env = { DATA_DIR: freshDir() };
    const { id } = JSON.parse((await cli(['keys', 'create', '--name', 'k', '--scopes', 'chat', '--json'], env)).stdout) as { id: string };
    expect((await cli(['keys', 'update', id], env)).stderr).toContain('Nothing to change');
    expect((await cli(['keys', 'update', id, '--burst', 'lots'], env)).stderr).toContain("--burst must be a whole number (got 'lots')");
  });
});

describe('where the CLI finds the key store', () => {
  it('uses the data folder of the project from a subfolder instead of creating a new store there', async () => {
    const project = join(root, `project-${++counter}`);
    mkdirSync(join(project, 'src', 'deep'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'ollama-openai-proxy' }));
    const created = await cli(['keys', 'create', '--name', 'a', '--scopes', 'chat', '--json'], {}, project);
    expect(created.stderr).toBe(`Key store: SQLite ${join(project, 'data', 'proxy.db')} (the project folder's data/)\n`);
    const listed = await cli(['keys', 'list', '--json'], {}, join(project, 'src', 'deep'));
    expect(listed.code).toBe(0);
    expect(listed.stderr).toContain(`Key store: SQLite ${join(project, 'data', 'proxy.db')} (the data folder found from the working directory)`);
    expect(JSON.parse(listed.stdout)).toHaveLength(1);
    expect(existsSync(join(project, 'src', 'deep', 'data'))).toBe(false);
  });

  it('refuses to create a store in an unrelated folder unless told where', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'no-project-'));
    try {
      const refused = await cli(['keys', 'list'], {}, elsewhere);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('No key store found');
      expect(refused.stderr).toContain('--data-dir DIR');
      expect(existsSync(join(elsewhere, 'data'))).toBe(false);
      const told = await cli(['--data-dir', 'mine', 'keys', 'create', '--name', 'a', '--scopes', 'chat'], {}, elsewhere);
      expect(told.code).toBe(0);
      expect(existsSync(join(elsewhere, 'mine', 'proxy.db'))).toBe(true);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('where the CLI finds the server', () => {
  let app: TestApp;
  const KEY = 'sk-first-hour-master-key-0123456789';
  beforeAll(async () => {
    app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY } });
  });
  afterAll(() => app.close());

  it('uses the server\'s own HOST and PORT when PROXY_URL is not set', async () => {
    const { port, hostname } = new URL(app.url);
    const result = await cli(['models', 'list', '--json'], { HOST: hostname, PORT: port, MASTER_KEY: KEY });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`Proxy: http://127.0.0.1:${port} (from HOST/PORT)\n`);
    expect(JSON.parse(result.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'deepseek-r1:7b' })]));
  });

  it('doctor reports Ollama, the aliases, the store and the proxy, and exits 0', async () => {
    const project = join(root, `doctor-${++counter}`);
    mkdirSync(project);
    const { port } = new URL(app.url);
    const result = await cli(['doctor'], { OLLAMA_URL: fake.url, PORT: port, DATA_DIR: project }, project);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✓ Configuration: valid');
    expect(result.stdout).toMatch(new RegExp(`✓ Ollama at ${fake.url}: reachable, version [\\d.]+, \\d+ models: deepseek-r1:7b`));
    expect(result.stdout).toMatch(/✓ Model aliases: deepseek-chat → deepseek-v3[^,]*, deepseek-reasoner → deepseek-r1:/);
    expect(result.stdout).toContain(`! Key store: ${join(project, 'proxy.db')} does not exist yet`);
    expect(result.stdout).toContain(`✓ Proxy at http://127.0.0.1:${port} (from HOST/PORT): answering`);
  });

  it('doctor fails with the fix when Ollama cannot be reached', async () => {
    const closedPort = await unusedPort();
    const result = await cli(['doctor'], { OLLAMA_URL: `http://127.0.0.1:${closedPort}`, DATA_DIR: freshDir(), PROXY_URL: `http://127.0.0.1:${closedPort}` });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`✗ Ollama at http://127.0.0.1:${closedPort}: not reachable (ECONNREFUSED)\n    fix: Start Ollama (\`ollama serve\`), or set OLLAMA_URL`);
    expect(result.stdout).toContain('! Proxy at');
  });
});

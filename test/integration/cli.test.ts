import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import jwt from 'jsonwebtoken';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createKeyService } from '../../src/access/key-service.js';
import { runCli } from '../../src/cli/run-cli.js';
import { createKeyStore } from '../../src/stores/create-key-store.js';

// The CLI as a user drives it: in-process through runCli (real SQLite store in a temp DATA_DIR), plus one
// smoke test that compiles the CLI and spawns `node dist/cli/main.js`.

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'cli-test-'));
const repo = join(import.meta.dirname, '..', '..');
let dataDir: string;
let counter = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  dataDir = join(root, `data-${++counter}`);
});

interface CliResult { code: number; stdout: string; stderr: string }

async function cli(argv: string[], env: Record<string, string> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: { DATA_DIR: dataDir, ...env },
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
  });
  return { code, stdout, stderr };
}

async function createKey(...extra: string[]): Promise<{ id: string; secret: string }> {
  const result = await cli(['keys', 'create', '--name', 'app', '--scopes', 'chat,embeddings', '--json', ...extra]);
  expect(result.code).toBe(0);
  const created = JSON.parse(result.stdout) as { id: string; secret: string };
  return created;
}

async function authenticates(secret: string): Promise<boolean> {
  const store = await createKeyStore({ dataDir });
  try {
    return (await createKeyService({ store }).authenticateSecret(secret)) !== null;
  } finally {
    await store.close();
  }
}

describe('help', () => {
  it.each([[['--help']], [['keys', '--help']], [['keys', 'create', '--help']], [['keys', 'list', '-h']],
    [['keys', 'show', '--help']], [['keys', 'revoke', '--help']], [['keys', 'rotate', '--help']], [['token', '--help']]])(
    '%j prints usage and exits 0',
    async (argv) => {
      const result = await cli(argv);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^Usage: ollama-openai-proxy/);
    },
  );

  it('prints usage to stderr and exits 2 when no command is given', async () => {
    expect(await cli([])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('Usage:') });
  });
});

describe('keys create / list / show', () => {
  it('prints the secret once on create and never again in list or show', async () => {
    const created = await cli(['keys', 'create', '--name', 'app', '--scopes', 'chat,embeddings', '--models', 'deepseek-*', '--expires', '72h']);
    expect(created.code).toBe(0);
    const secret = /sk-[A-Za-z0-9_-]{40,}/.exec(created.stdout)?.[0];
    expect(secret).toBeDefined();
    expect(created.stdout).toContain('shown only now');
    const id = /key_[A-Za-z0-9_-]{12}/.exec(created.stdout)?.[0] ?? '';
    const outputs = [await cli(['keys', 'list']), await cli(['keys', 'list', '--json']), await cli(['keys', 'show', id]), await cli(['keys', 'show', id, '--json'])];
    for (const output of outputs) {
      expect(output.code).toBe(0);
      expect(output.stdout).toContain(id);
      expect(output.stdout).not.toContain(secret!.slice(10));
    }
    expect(outputs[0]!.stdout).toMatch(/ID\s+NAME\s+PREFIX\s+SCOPES/);
    expect(outputs[0]!.stdout).toContain('deepseek-*');
  });

  it('writes keys to the store the server reads', async () => {
    const { secret } = await createKey();
    expect(await authenticates(secret)).toBe(true);
  });

  it('gives scripts JSON with the settings, the secret and no hash', async () => {
    const result = await cli(['keys', 'create', '--name', 'ci', '--scopes', 'chat', '--tier', 'gold', '--metadata', '{"team":"x"}', '--json']);
    const body = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(body).toMatchObject({ object: 'api_key', name: 'ci', scopes: ['chat'], tier: 'gold', metadata: { team: 'x' }, status: 'active' });
    expect(Object.keys(body).some((field) => field.includes('hash'))).toBe(false);
    const listed = JSON.parse((await cli(['keys', 'list', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty('secret');
  });
});

describe('bad input', () => {
  it.each([
    [['keys', 'create', '--name', 'a', '--scopes', 'chat,root'], /Unknown scope 'root'/],
    [['keys', 'create', '--scopes', 'chat'], /--name is required/],
    [['keys', 'create', '--name', 'a'], /--scopes \(or --preset app\) is required/],
    [['keys', 'create', '--name', 'a', '--scopes', 'chat', '--expires', 'soon'], /Invalid duration 'soon'/],
    [['keys', 'create', '--name', 'a', '--scopes', 'chat', '--metadata', '[1]'], /--metadata must be a JSON object/],
    [['keys', 'create', '--name', 'a', '--scopes', 'chat', '--bogus'], /Unknown option '--bogus'/],
    [['keys', 'show'], /takes exactly one key ID/],
    [['keys', 'frobnicate'], /Unknown subcommand 'keys frobnicate'/],
    [['launch'], /Unknown command 'launch'/],
    [['token'], /takes exactly one key ID/],
  ])('%j exits 2 with a clear error', async (argv, message) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('exits 1 for an unknown key id', async () => {
    expect(await cli(['keys', 'show', 'key_missing'])).toMatchObject({ code: 1, stderr: `Key store: SQLite ${join(dataDir, 'proxy.db')} (from DATA_DIR)\nerror: No API key with id 'key_missing'.\n` });
  });

  it('exits 1 naming the variable when the configuration is invalid', async () => {
    const result = await cli(['keys', 'list'], { DATABASE_URL: 'mysql://db/keys' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL');
  });
});

describe('keys revoke / rotate', () => {
  it('revokes a key so it no longer authenticates', async () => {
    const { id, secret } = await createKey();
    const result = await cli(['keys', 'revoke', id]);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining(`Revoked API key ${id}`) });
    expect(await authenticates(secret)).toBe(false);
    expect((await cli(['keys', 'show', id, '--json'])).stdout).toContain('"status": "revoked"');
  });

  it('rotates: prints a new secret and keeps the old one valid during the grace period', async () => {
    const { id, secret: oldSecret } = await createKey();
    const result = await cli(['keys', 'rotate', id, '--grace', '1h', '--json']);
    const rotated = JSON.parse(result.stdout) as { secret: string; previous_secret_valid_until: string };
    expect(rotated.secret).not.toBe(oldSecret);
    expect(rotated.previous_secret_valid_until).not.toBeNull();
    expect(await authenticates(rotated.secret)).toBe(true);
    expect(await authenticates(oldSecret)).toBe(true);
  });

  it('ends the old secret at once with --grace 0', async () => {
    const { id, secret: oldSecret } = await createKey();
    expect((await cli(['keys', 'rotate', id, '--grace', '0'])).code).toBe(0);
    expect(await authenticates(oldSecret)).toBe(false);
  });
});

describe('token', () => {
  it('prints a JWT for the key signed with the secret kept in DATA_DIR', async () => {
    const { id } = await createKey();
    const result = await cli(['token', id]);
    expect(result.code).toBe(0);
    const secret = readFileSync(join(dataDir, 'jwt.secret'), 'utf8').trim();
    expect(jwt.verify(result.stdout.trim(), secret, { algorithms: ['HS256'] })).toMatchObject({ sub: id, scope: 'chat embeddings' });
  });

  it('uses JWT_SECRET when set, and honours --ttl and --scopes', async () => {
    const { id } = await createKey();
    const secret = 'a-configured-jwt-secret-of-32-chars-or-more';
    const result = await cli(['token', id, '--ttl', '15m', '--scopes', 'chat', '--json'], { JWT_SECRET: secret });
    const body = JSON.parse(result.stdout) as { token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(jwt.verify(body.token, secret, { algorithms: ['HS256'] })).toMatchObject({ scope: 'chat' });
  });

  it('refuses a token for a revoked key', async () => {
    const { id } = await createKey();
    await cli(['keys', 'revoke', id]);
    expect(await cli(['token', id])).toMatchObject({ code: 1, stderr: expect.stringContaining('revoked') });
  });
});

describe('built binary', () => {
  it('runs as `node dist/cli/main.js`, shows the secret on create and hides it from list', async () => {
    const build = join(root, 'build');
    symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
    writeFileSync(join(root, 'package.json'), '{"type":"module"}');
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({
      extends: join(repo, 'tsconfig.build.json'),
      compilerOptions: { rootDir: join(repo, 'src'), outDir: build, sourceMap: false },
      include: [],
      files: [join(repo, 'src', 'cli', 'main.ts')],
    }));
    await run(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')]);
    const main = join(build, 'cli', 'main.js');
    expect(readFileSync(main, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    const env = { ...process.env, DATA_DIR: dataDir };
    const created = await run(process.execPath, [main, 'keys', 'create', '--name', 'smoke', '--scopes', 'chat'], { env });
    const secret = /sk-[A-Za-z0-9_-]{40,}/.exec(created.stdout)?.[0];
    expect(secret).toBeDefined();
    const listed = await run(process.execPath, [main, 'keys', 'list'], { env });
    expect(listed.stdout).toContain('smoke');
    expect(listed.stdout).not.toContain(secret!.slice(10));
    await expect(run(process.execPath, [main, 'keys', 'revoke'], { env })).rejects.toMatchObject({ code: 2 });
  }, 120_000);
});

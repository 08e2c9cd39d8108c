import { execFile, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';

// The package as a user gets it: `npm pack`, installed without dev dependencies and without network, then its
// bin's `serve` command runs the server. Installing uses the project's lockfile (`npm ci --omit=dev --offline`,
// from the npm cache: the cache holds the tarballs the lockfile names, not the registry's metadata that a
// plain `npm install <tarball>` would resolve versions with). better-sqlite3 has no prebuilt binary offline and
// compiling it takes minutes on this machine, so install scripts are skipped and its compiled addon is copied
// from the development install.

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'packed-'));
let fake: FakeOllama;
let app: string;
let tarball: string;

beforeAll(async () => {
  fake = await startFakeOllama();
  // dist/ was just built by the global setup; prepack would build it again.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repo });
  tarball = join(work, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);
  app = join(work, 'package');
  await run('tar', ['xzf', tarball, '-C', work]);
  copyFileSync(join(repo, 'package-lock.json'), join(app, 'package-lock.json'));
  await run('npm', ['ci', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app });
  const addon = join('node_modules', 'better-sqlite3', 'build', 'Release');
  mkdirSync(join(app, addon), { recursive: true });
  copyFileSync(join(repo, addon, 'better_sqlite3.node'), join(app, addon, 'better_sqlite3.node'));
}, 240_000);
afterAll(async () => {
  await fake.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('ships the build and no sources or tests, and installs without TypeScript', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    const files = stdout.split('\n');
    expect(files).toContain('package/dist/main.js');
    expect(files).toContain('package/dist/cli/main.js');
    expect(files).toContain('package/dist/plugins/code-interpreter/runner/sandbox-runner.mjs');
    expect(files.some((file) => file.startsWith('package/src/') || file.startsWith('package/test/'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'typescript'))).toBe(false);
    expect(readdirSync(join(app, 'node_modules')).length).toBeGreaterThan(10);
  });

  it('prints its version through the bin', async () => {
    const bin = binPath();
    const { stdout } = await run(bin, ['--version']);
    const { version } = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { version: string };
    expect(stdout.trim()).toBe(`ollama-openai-proxy ${version}`);
  });

  it('`ollama-openai-proxy serve` runs the server, which answers the openai SDK', async () => {
    const dataDir = join(work, 'data');
    const child = spawn(binPath(), ['serve'], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', PORT: '0', OLLAMA_URL: fake.url, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /"url":"([^"]+)"[^\n]*"message":"listening"/.exec(out);
          if (match && out.includes('admin.key')) resolveUrl(match[1]!);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      const apiKey = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 });
      const reply = await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'Hi' }] });
      expect(reply.choices[0]?.message.content).toEqual(expect.any(String));
      expect(fake.requests.some((request) => request.path === '/api/chat')).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

/** What npm links as the `ollama-openai-proxy` command: package.json's bin, an executable file with a shebang. */
function binPath(): string {
  const { bin } = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  const path = join(app, bin['ollama-openai-proxy']!);
  chmodSync(path, 0o755);
  return path;
}

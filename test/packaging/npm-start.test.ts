import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildState } from '../../scripts/build-state.mjs';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';

const repo = resolve(import.meta.dirname, '../..');

function tree(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'build-state-'));
  for (const [path, mtimeSeconds] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), '');
    utimesSync(join(root, path), mtimeSeconds, mtimeSeconds);
  }
  // Folders count too (a deleted source changes only its folder's time): make them old.
  for (const folder of ['src', 'src/http', 'dist']) if (existsSync(join(root, folder))) utimesSync(join(root, folder), 1, 1);
  return root;
}

describe('buildState (when `npm start` builds)', () => {
  it('builds when there is no build yet', () => {
    expect(buildState(tree({ 'src/main.ts': 100 }))).toBe('missing');
  });
  it('builds when a source is newer than the build', () => {
    expect(buildState(tree({ 'src/main.ts': 100, 'src/http/deep.ts': 300, 'dist/main.js': 200 }))).toBe('stale');
  });
  it('builds when the TypeScript configuration changed', () => {
    expect(buildState(tree({ 'src/main.ts': 100, 'tsconfig.build.json': 300, 'dist/main.js': 200 }))).toBe('stale');
  });
  it('runs the build as it is when every source is older', () => {
    expect(buildState(tree({ 'src/main.ts': 100, 'tsconfig.json': 100, 'dist/main.js': 200 }))).toBe('fresh');
  });
  it('runs an installed package (dist only, no sources) as it is', () => {
    expect(buildState(tree({ 'dist/main.js': 200 }))).toBe('no-sources');
  });
});

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(() => fake.close());

describe('npm start on a built tree', () => {
  it('starts the server without compiling again, and reports how long it took', async () => {
    const built = statSync(join(repo, 'dist', 'main.js')).mtimeMs;
    const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
    const started = performance.now();
    const child = spawn('npm', ['start', '--silent'], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '', PORT: '0', OLLAMA_URL: fake.url, DATA_DIR: dataDir, MASTER_KEY: 'sk-npm-start-test' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /"url":"([^"]+)"[^\n]*"message":"listening"/.exec(out);
          if (match) resolveUrl(match[1]!);
        });
        child.on('exit', (code) => reject(new Error(`npm start exited with ${code}: ${out}${err}`)));
      });
      const readyMs = performance.now() - started;
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect(err).not.toMatch(/building/);
      expect(statSync(join(repo, 'dist', 'main.js')).mtimeMs).toBe(built);
      // A measurement, not an assertion: timing on a shared 2-core machine is not a test.
      process.stdout.write(`npm start on a built tree: listening after ${Math.round(readyMs)} ms\n`);
    } finally {
      // npm runs node as a child: signal the whole group.
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    }
  });
});

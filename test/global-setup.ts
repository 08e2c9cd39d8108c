import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { buildState } from '../scripts/build-state.mjs';

// Tests that spawn the real server or CLI (`node dist/...`) need a fresh build (tsc plus the sandbox runner files);
// do it once, before any test file runs, so parallel test files never race on dist/. A build newer than every
// source is reused (the same rule as `npm start`).
export default function setup(): void {
  const root = resolve(import.meta.dirname, '..');
  if (buildState(root) === 'fresh') return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

// Tests that spawn the real server or CLI (`node dist/...`) need a fresh build (tsc plus the sandbox runner files);
// do it once, before any test file runs, so parallel test files never race on dist/.
export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: resolve(import.meta.dirname, '..'), stdio: 'inherit' });
}

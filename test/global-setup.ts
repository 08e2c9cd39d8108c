import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

// Tests that spawn the real server or CLI (`node dist/...`) need a fresh build; do it once, before any test file runs,
// so parallel test files never race on dist/.
export default function setup(): void {
  const root = resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}

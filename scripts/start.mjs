// `npm start`: run the built server, building it first only when dist/ is missing or older than src/.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildState } from './build-state.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const state = buildState(root);
if (state === 'missing' || state === 'stale') {
  if (!existsSync(join(root, 'node_modules', 'typescript'))) {
    process.stderr.write(
      `dist/ is ${state === 'missing' ? 'missing' : 'older than src/'} and TypeScript is not installed (an install without dev dependencies?).\n` +
        'Run `npm install` (with dev dependencies) and `npm run build`, or install the packaged server: `npm pack`, then `npm install -g ollama-openai-proxy-*.tgz` and `ollama-openai-proxy serve`.\n',
    );
    process.exit(1);
  }
  process.stderr.write(`${state === 'missing' ? 'No build yet' : 'Sources changed since the last build'}: building (npm run build)…\n`);
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
await import(pathToFileURL(join(root, 'dist', 'main.js')).href);

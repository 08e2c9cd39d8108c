// Whether dist/ must be (re)built before the server starts: it is missing, or a source it is made from is newer.
// Plain JavaScript, no dependencies: `npm start` runs it before anything is compiled.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Files and folders dist/ is built from (relative to the project root). */
export const BUILD_INPUTS = ['src', 'console', 'tsconfig.json', 'tsconfig.build.json'];
/** The build's last output: the build script writes it after tsc (the chmod of the CLI entry). */
export const BUILD_OUTPUT = join('dist', 'main.js');

function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/**
 * 'missing' (no build), 'stale' (a source is newer than the build), 'fresh', or 'no-sources' (an installed package:
 * only dist/ was shipped, so there is nothing to compare and nothing to build).
 */
export function buildState(root) {
  let built;
  try {
    built = statSync(join(root, BUILD_OUTPUT)).mtimeMs;
  } catch {
    built = undefined;
  }
  const sources = Math.max(...BUILD_INPUTS.map((input) => newestMtime(join(root, input))));
  if (sources === 0) return built === undefined ? 'missing' : 'no-sources';
  if (built === undefined) return 'missing';
  return sources > built ? 'stale' : 'fresh';
}

// Builds the operator console (console/src) into dist/console: one hashed JS and CSS bundle and an index.html
// that loads them (no inline script or style, so the route's CSP can forbid both). Prints the gzipped size and
// fails above the budget. `npm run build` runs it after tsc; tests import buildConsole() for the same result.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const BUDGET_GZIP_BYTES = 250 * 1024;

export async function buildConsole(outDir = resolve(here, '../dist/console')) {
  rmSync(outDir, { recursive: true, force: true });
  const assets = join(outDir, 'assets');
  const result = await build({
    entryPoints: [join(here, 'src/main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox115', 'safari16'],
    outdir: assets,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    tsconfig: join(here, 'tsconfig.json'),
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => resolve(file));
  const script = outputs.find((file) => file.endsWith('.js'));
  const style = outputs.find((file) => file.endsWith('.css'));
  const template = readFileSync(join(here, 'index.html'), 'utf8');
  const html = template
    .replace('%SCRIPT%', `/console/assets/${basename(script)}`)
    .replace('%STYLE%', `/console/assets/${basename(style)}`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'index.html'), html);
  const files = [join(outDir, 'index.html'), ...outputs];
  const sizes = files.map((file) => ({ file: relative(outDir, file), gzipBytes: gzipSync(readFileSync(file)).length }));
  return { outDir, sizes, gzipBytes: sizes.reduce((sum, entry) => sum + entry.gzipBytes, 0) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { sizes, gzipBytes } = await buildConsole();
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
  console.log(`console: ${sizes.map((entry) => `${entry.file} ${kb(entry.gzipBytes)}`).join(', ')}; total ${kb(gzipBytes)} gzipped (budget ${kb(BUDGET_GZIP_BYTES)})`);
  if (gzipBytes > BUDGET_GZIP_BYTES) {
    console.error('console: the bundle is over its size budget');
    process.exit(1);
  }
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

// Import-direction rules from DESIGN.md 2.3: the folder is the layer.
const SRC = resolve(import.meta.dirname, '../src');

const ALLOWED: Record<string, string[]> = {
  core: ['core', 'shared'],
  openai: ['core', 'shared', 'openai'],
  anthropic: ['core', 'shared', 'anthropic'],
  'openai-responses': ['core', 'shared', 'openai-responses', 'openai/parse-openai-body.ts'],
  ollama: ['core', 'shared', 'ollama'],
  fleet: ['core', 'shared', 'ollama/host-pool.ts', 'config', 'fleet'],
  pipeline: ['core', 'shared', 'pipeline', 'stores/kv-store.ts'],
  plugins: ['core', 'shared', 'plugins', 'stores/kv-store.ts'],
  stores: ['shared', 'stores'],
  observability: ['config', 'core', 'observability'],
  http: ['core', 'openai', 'anthropic', 'openai-responses', 'observability', 'shared', 'http', 'config', 'access', 'stores/limit-store.ts', 'model-admin', 'finetune'],
  'model-admin': ['core', 'model-admin'],
  finetune: ['core', 'shared', 'finetune', 'stores/kv-store.ts'],
  access: ['core', 'shared', 'access', 'stores'],
  shared: ['shared'],
  config: ['config'],
  startup: ['core', 'shared', 'ollama', 'pipeline', 'startup'],
  // The CLI is its own entry: it opens the key store and talks to a running server; `serve` starts main.ts.
  cli: ['core', 'shared', 'config', 'access', 'stores', 'model-admin', 'ollama', 'fleet', 'startup', 'cli', 'create-access-control.ts', 'load-secrets.ts', 'main.ts'],
  // The composition root (src/*.ts) builds everything; nothing but the CLI imports it.
  '(root)': ['access', 'anthropic', 'openai', 'openai-responses', 'config', 'core', 'finetune', 'fleet', 'http', 'model-admin', 'observability', 'ollama', 'pipeline', 'plugins', 'shared', 'startup', 'stores', '(root)'],
};

/** Composition files inside a layer: they say which stages of other layers wrap it, so they import those. */
const COMPOSITION: Record<string, string[]> = {
  'pipeline/create-chat-pipeline.ts': ['access', 'config', 'observability', 'plugins', 'stores/create-traffic-stores.ts'],
};

const PACKAGE_OWNERS: Record<string, string[]> = {
  express: ['http', 'app.ts'],
  winston: ['observability'],
  'prom-client': ['observability', 'main.ts', 'open-services.ts'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Static imports and re-exports, and dynamic `import('…')` / `import(new URL('…', import.meta.url).href)`. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const statics = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
  const dynamics = [...text.matchAll(/\bimport\(\s*(?:new URL\(\s*)?['"]([^'"]+)['"]/g)].map((match) => match[1]!);
  return [...statics, ...dynamics];
}

/** The top folder is the layer; files directly in src/ are the composition root. */
function layerOf(rel: string): string {
  return rel.includes('/') ? rel.split('/')[0]! : '(root)';
}

const files = sourceFiles(SRC).map((file) => ({ file, rel: relative(SRC, file), layer: layerOf(relative(SRC, file)) }));

describe('architecture', () => {
  it.each(files.filter(({ layer }) => layer in ALLOWED))('$rel imports only what its layer may', ({ file, rel, layer }) => {
    const allowed = [...ALLOWED[layer]!, ...(COMPOSITION[rel] ?? [])];
    for (const specifier of imports(file).filter((spec) => spec.startsWith('.'))) {
      const target = relative(SRC, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts');
      const ok = allowed.some((rule) => (rule.endsWith('.ts') ? target === rule : layerOf(target) === rule || target.split('/')[0] === rule));
      expect(ok, `${layer}/ must not import ${target}`).toBe(true);
    }
  });

  it('gives every folder of src/ a rule', () => {
    const unruled = [...new Set(files.map(({ layer }) => layer))].filter((layer) => !(layer in ALLOWED));
    expect(unruled).toEqual([]);
  });

  it('finds dynamic imports too', () => {
    const cli = files.find(({ rel }) => rel === 'cli/serve-command.ts')!;
    expect(imports(cli.file)).toContain('../main.js');
  });

  it.each(Object.entries(PACKAGE_OWNERS))('only its owners import %s', (pkg, owners) => {
    for (const { file, rel } of files) {
      if (!imports(file).includes(pkg)) continue;
      expect(owners.some((owner) => rel === owner || rel.startsWith(`${owner}/`)), `${rel} imports ${pkg}`).toBe(true);
    }
  });
});

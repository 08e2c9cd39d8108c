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

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
}

const files = sourceFiles(SRC).map((file) => ({ file, rel: relative(SRC, file), layer: relative(SRC, file).split('/')[0]! }));

describe('architecture', () => {
  it.each(files.filter(({ layer }) => layer in ALLOWED))('$rel imports only what its layer may', ({ file, rel, layer }) => {
    const allowed = [...ALLOWED[layer]!, ...(COMPOSITION[rel] ?? [])];
    for (const specifier of imports(file).filter((spec) => spec.startsWith('.'))) {
      const target = relative(SRC, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts');
      const ok = allowed.some((rule) => (rule.endsWith('.ts') ? target === rule : target.split('/')[0] === rule));
      expect(ok, `${layer}/ must not import ${target}`).toBe(true);
    }
  });

  it.each(Object.entries(PACKAGE_OWNERS))('only its owners import %s', (pkg, owners) => {
    for (const { file, rel } of files) {
      if (!imports(file).includes(pkg)) continue;
      expect(owners.some((owner) => rel === owner || rel.startsWith(`${owner}/`)), `${rel} imports ${pkg}`).toBe(true);
    }
  });
});

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import type { PluginSettings } from '../../../src/plugins/built-in-plugins.js';
import { loadPlugins } from '../../../src/plugins/load-plugins.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/plugins');
const settings = (overrides: Partial<PluginSettings> = {}): PluginSettings => ({
  enabled: [],
  available: [],
  perKey: {},
  maxToolRounds: 5,
  codeInterpreter: { enabled: false, timeoutMs: 1000, memoryMb: 64, maxOutputBytes: 1000, show: 'reasoning' },
  piiRedaction: { patterns: {} },
  ...overrides,
});
const load = (overrides: Partial<PluginSettings>) => loadPlugins(settings(overrides), { logger: silentLogger, baseDir: FIXTURES });

describe('loadPlugins', () => {
  it('registers enabled entries in order (always on), then available ones, then the other built-ins', async () => {
    const registry = await load({ enabled: ['./tag-beta.ts', 'pii_redaction'], available: [`${FIXTURES}/tag-alpha.ts`] });
    expect(registry.plugins.map((plugin) => plugin.name)).toEqual(['beta', 'pii_redaction', 'alpha']);
    expect(registry.always).toEqual(['beta', 'pii_redaction']);
    expect(registry.unavailable.get('code_interpreter')).toContain('CODE_INTERPRETER_ENABLED');
  });

  it('registers the code interpreter only when it is switched on', async () => {
    const registry = await load({ codeInterpreter: { ...settings().codeInterpreter, enabled: true } });
    expect(registry.get('code_interpreter')?.tools?.map((tool) => tool.name)).toEqual(['code_interpreter']);
    await registry.close();
    await expect(load({ enabled: ['code_interpreter'] })).rejects.toThrow(/PLUGINS\): 'code_interpreter': the code interpreter is off/);
  });

  it.each([
    ['an unknown built-in', ['web_search'], /'web_search': no built-in plugin has this name/],
    ['a missing module', ['./missing.js'], /'\.\/missing\.js': cannot import the module/],
    ['a module exporting no plugin', ['./make-tag-plugin.ts'], /neither a default plugin nor `plugin`/],
    ['a module exporting an invalid plugin', ['./not-a-plugin.ts'], /'\.\/not-a-plugin\.ts': `beforeRequest` must be a function/],
    ['the same plugin twice', ['./tag-alpha.ts', './tag-alpha.ts'], /a plugin named 'alpha' is already registered/],
  ])('fails at start-up on %s, naming the entry', async (_name, enabled, message) => {
    await expect(load({ enabled })).rejects.toThrow(message);
  });

  it('refuses configuration that names a plugin it does not have', async () => {
    const registry = await load({});
    expect(() => registry.assertKnown(['alpha'], 'plugins.perKey')).toThrow("plugins.perKey: plugin 'alpha' is not registered");
  });
});

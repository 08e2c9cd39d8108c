import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../src/core/chat-result.js';
import { applyModelDefaults, findModelDefaults, resolveBuiltInAlias, withAliases } from '../../../src/pipeline/model-resolution.js';
import { compileAliases, findConfiguredAlias, matchTagless, suggestModels } from '../../../src/pipeline/model-names.js';

const model = (id: string): ModelInfo => ({ id, createdAt: new Date(0), ownedBy: 'library' });
const installed = ['llama3:8b', 'deepseek-r1:7b', 'deepseek-v3:671b', 'deepseek-v3.1:671b', 'deepseek-r1:32b'].map(model);

describe('resolveBuiltInAlias', () => {
  it('maps deepseek-chat to the newest installed deepseek-v3.x', () => {
    expect(resolveBuiltInAlias('deepseek-chat', installed)).toBe('deepseek-v3.1:671b');
  });

  it('maps deepseek-reasoner to an installed deepseek-r1 tag', () => {
    expect(resolveBuiltInAlias('deepseek-reasoner', installed)).toMatch(/^deepseek-r1:/);
  });

  it('leaves other names alone', () => {
    expect(resolveBuiltInAlias('llama3:8b', installed)).toBeUndefined();
    expect(resolveBuiltInAlias('gpt-oss:20b', installed)).toBeUndefined();
  });

  it('falls back to any installed DeepSeek chat model, and to nothing without one', () => {
    expect(resolveBuiltInAlias('deepseek-chat', [model('deepseek-r1:7b')])).toBe('deepseek-r1:7b');
    expect(resolveBuiltInAlias('deepseek-chat', [model('llama3:8b'), model('nomic-embed-text:latest')])).toBeUndefined();
  });

  it('prefers the newest generation: deepseek-v4-flash for deepseek-chat and deepseek-flash', () => {
    const withV4 = [...installed, model('deepseek-v4-flash:latest'), model('deepseek-v4-pro:latest')];
    expect(resolveBuiltInAlias('deepseek-chat', withV4)).toBe('deepseek-v4-flash:latest');
    expect(resolveBuiltInAlias('deepseek-flash', withV4)).toBe('deepseek-v4-flash:latest');
    expect(resolveBuiltInAlias('deepseek-v4-pro', withV4)).toBe('deepseek-v4-pro:latest');
  });

  it('gives deepseek-reasoner only a model that can think, by capability when the list has them', () => {
    const listed = [
      { ...model('deepseek-v3.1:671b'), capabilities: ['completion', 'tools', 'thinking'] },
      { ...model('deepseek-coder-v2:16b'), capabilities: ['completion', 'insert'] },
    ];
    expect(resolveBuiltInAlias('deepseek-reasoner', listed)).toBe('deepseek-v3.1:671b');
    expect(resolveBuiltInAlias('deepseek-reasoner', [listed[1]!])).toBeUndefined();
  });

  it.each([
    ['claude-opus-4-5', 'deepseek-v3.1:671b'],
    ['claude-sonnet-4-5-20250929', 'deepseek-v3.1:671b'],
    ['claude-haiku-4-5', 'deepseek-r1:7b'],
    ['gpt-5-codex', 'deepseek-v3.1:671b'],
    ['gpt-5.1-mini', 'deepseek-r1:7b'],
    ['o4-mini', 'deepseek-r1:7b'],
    ['o3', 'deepseek-v3.1:671b'],
    ['codex-mini-latest', 'deepseek-r1:7b'],
  ])("maps the coding agent's %s to %s by kind", (name, target) => {
    const listed = [
      { ...model('deepseek-r1:7b'), parameterSize: '7.6B', capabilities: ['completion', 'thinking'] },
      { ...model('deepseek-r1:32b'), parameterSize: '32.8B', capabilities: ['completion', 'thinking'] },
      { ...model('deepseek-v3.1:671b'), parameterSize: '671.0B', capabilities: ['completion', 'tools', 'thinking'] },
      { ...model('deepseek-coder-v2:16b'), parameterSize: '15.7B', capabilities: ['completion', 'insert'] },
    ];
    expect(resolveBuiltInAlias(name, listed)).toBe(target);
  });
});

describe('compileAliases and findConfiguredAlias', () => {
  const aliases = compileAliases({ 'claude-*': 'deepseek-r1:32b', 'claude-haiku-*': 'deepseek-r1:7b', exact: 'qwen3:8b' });

  it('matches exact names first, then the most specific wildcard', () => {
    expect(findConfiguredAlias('exact', aliases)).toBe('qwen3:8b');
    expect(findConfiguredAlias('claude-haiku-4-5', aliases)).toBe('deepseek-r1:7b');
    expect(findConfiguredAlias('claude-opus-4-1', aliases)).toBe('deepseek-r1:32b');
    expect(findConfiguredAlias('gpt-5', aliases)).toBeUndefined();
  });

  it('treats regex characters in a pattern literally', () => {
    expect(findConfiguredAlias('a.b-x', compileAliases({ 'a.b-*': 'm' }))).toBe('m');
    expect(findConfiguredAlias('aXb-x', compileAliases({ 'a.b-*': 'm' }))).toBeUndefined();
  });
});

describe('matchTagless and suggestModels', () => {
  it('resolves a name without a tag to its only installed tag, lists several, and leaves :latest to Ollama', () => {
    expect(matchTagless('deepseek-v3.1', installed)).toEqual({ kind: 'one', id: 'deepseek-v3.1:671b' });
    expect(matchTagless('deepseek-r1', installed)).toEqual({ kind: 'several', ids: ['deepseek-r1:7b', 'deepseek-r1:32b'] });
    expect(matchTagless('llama3', [model('llama3:latest'), model('llama3:8b')])).toEqual({ kind: 'none' });
  });

  it('suggests close installed names', () => {
    expect(suggestModels('deepseek-r2:7b', installed)).toContain('deepseek-r1:7b');
    expect(suggestModels('llama3:70b', installed)).toEqual(['llama3:8b']);
    expect(suggestModels('mistral', installed)).toEqual([]);
  });
});

describe('findModelDefaults', () => {
  const entry = (num_ctx: number) => ({ options: { num_ctx }, plugins: [] });
  const defaults = { 'deepseek-r1': entry(32768), 'deepseek-r1:70b': entry(8192), deepseek: entry(4096) };

  it('prefers the exact tag, then the family, then the longest prefix', () => {
    expect(findModelDefaults('deepseek-r1:70b', defaults)?.options).toEqual({ num_ctx: 8192 });
    expect(findModelDefaults('deepseek-r1:7b', defaults)?.options).toEqual({ num_ctx: 32768 });
    expect(findModelDefaults('deepseek-coder-v2:16b', defaults)?.options).toEqual({ num_ctx: 4096 });
    expect(findModelDefaults('llama3', defaults)).toBeUndefined();
  });
});

describe('applyModelDefaults', () => {
  it('fills options the client left out and keeps the ones it set', () => {
    const merged = applyModelDefaults({ options: { num_ctx: 2048 } }, { options: { num_ctx: 32768, num_gpu: 99 }, keepAlive: '30m', plugins: [] });
    expect(merged).toEqual({ options: { num_ctx: 2048, num_gpu: 99 }, keepAlive: '30m' });
  });

  it('keeps the client keep_alive over the default', () => {
    expect(applyModelDefaults({ keepAlive: 0 }, { options: {}, keepAlive: '30m', plugins: [] })?.keepAlive).toBe(0);
  });
});

describe('withAliases', () => {
  it('lists the DeepSeek API names and configured aliases that resolve, and no others', () => {
    const ids = withAliases(installed, { coder: 'deepseek-coder-v2:16b', fast: 'deepseek-r1:7b' }).map((entry) => entry.id);
    expect(ids).toEqual([
      ...installed.map((entry) => entry.id),
      'deepseek-chat',
      'deepseek-reasoner',
      'deepseek-v4-pro',
      'deepseek-v4-flash',
      'deepseek-flash',
      'fast',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../src/core/chat-result.js';
import { applyModelDefaults, findModelDefaults, resolveBuiltInAlias, withAliases } from '../../../src/pipeline/model-resolution.js';

const model = (id: string): ModelInfo => ({ id, createdAt: new Date(0), ownedBy: 'library' });
const installed = ['llama3:8b', 'deepseek-r1:7b', 'deepseek-v3:671b', 'deepseek-v3.1:671b', 'deepseek-r1:32b'].map(model);

describe('resolveBuiltInAlias', () => {
  it('maps deepseek-chat to the newest installed deepseek-v3.x', () => {
    expect(resolveBuiltInAlias('deepseek-chat', installed)).toBe('deepseek-v3.1:671b');
  });

  it('maps deepseek-reasoner to an installed deepseek-r1 tag', () => {
    expect(resolveBuiltInAlias('deepseek-reasoner', installed)).toMatch(/^deepseek-r1:/);
  });

  it('leaves other names and uninstalled families alone', () => {
    expect(resolveBuiltInAlias('llama3:8b', installed)).toBeUndefined();
    expect(resolveBuiltInAlias('deepseek-chat', [model('deepseek-r1:7b')])).toBeUndefined();
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
    expect(ids).toEqual([...installed.map((entry) => entry.id), 'deepseek-chat', 'deepseek-reasoner', 'fast']);
  });
});

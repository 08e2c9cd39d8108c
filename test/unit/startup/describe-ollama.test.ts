import { describe, expect, it } from 'vitest';
import { describeOllamaHosts } from '../../../src/startup/describe-ollama.js';

describe('describeOllamaHosts', () => {
  it('says a reachable host\'s version and models, and which DeepSeek names resolve to what', () => {
    const lines = describeOllamaHosts([{ url: 'http://a:11434', reachable: true, version: '0.12.6', models: ['deepseek-r1:7b', 'deepseek-r1:32b', 'deepseek-v3.1:671b'] }], {});
    expect(lines.map((line) => [line.status, line.message])).toEqual([
      ['ok', 'Ollama at http://a:11434: reachable, version 0.12.6, 3 models: deepseek-r1:7b, deepseek-r1:32b, deepseek-v3.1:671b'],
      ['ok', 'Model aliases: deepseek-chat → deepseek-v3.1:671b, deepseek-reasoner → deepseek-r1:32b'],
    ]);
  });

  it('fails an unreachable host with the fix, and reports no aliases when no host answered', () => {
    const lines = describeOllamaHosts([{ url: 'http://b:11434', reachable: false, error: 'ECONNREFUSED' }], {});
    expect(lines).toEqual([
      expect.objectContaining({ status: 'fail', message: 'Ollama at http://b:11434: not reachable (ECONNREFUSED)', fix: expect.stringContaining('`ollama serve`') }),
    ]);
  });

  it('warns about a host without models, telling how to pull one', () => {
    const [host, aliases] = describeOllamaHosts([{ url: 'http://c', reachable: true, version: '1', models: [] }], {});
    expect(host).toMatchObject({ status: 'warn', message: 'Ollama at http://c: reachable, version 1, no models installed', fix: expect.stringContaining('ollama pull deepseek-r1:7b') });
    expect(aliases).toMatchObject({ status: 'ok', message: 'Model aliases: deepseek-chat → nothing installed, deepseek-reasoner → nothing installed' });
  });

  it('warns when a configured alias points at a model no host has', () => {
    const lines = describeOllamaHosts([{ url: 'http://d', reachable: true, version: '1', models: ['deepseek-r1:7b'] }], { 'deepseek-chat': 'deepseek-v3.1:671b', fast: 'deepseek-r1:7b' });
    expect(lines[1]).toMatchObject({
      status: 'warn',
      message: 'Model aliases: deepseek-chat → nothing installed (deepseek-v3.1:671b is configured), deepseek-reasoner → deepseek-r1:7b, fast → deepseek-r1:7b',
      fix: expect.stringContaining('ollama pull deepseek-v3.1:671b'),
    });
  });

  it('lists at most eight models by name', () => {
    const models = Array.from({ length: 10 }, (_, i) => `m${i}:1b`);
    const [host] = describeOllamaHosts([{ url: 'http://e', reachable: true, version: '1', models }], {});
    expect(host?.message).toMatch(/10 models: m0:1b, .*m7:1b and 2 more$/);
  });
});

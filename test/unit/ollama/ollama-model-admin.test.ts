import { describe, expect, it } from 'vitest';
import { ModelNotFoundError, UpstreamError } from '../../../src/core/errors.js';
import { fromOllamaProgressLine, fromOllamaPs, fromOllamaShowDescription } from '../../../src/ollama/from-ollama-model-admin.js';
import { ollamaShowSchema } from '../../../src/ollama/ollama-wire.js';
import { toOllamaCreateRequest, toOllamaLoadRequest, toOllamaUnloadRequest } from '../../../src/ollama/to-ollama-model-admin.js';
import { fixtureJson } from './ollama-fixtures.js';

describe('fromOllamaPs', () => {
  it('maps loaded models with VRAM, context and expiry', () => {
    const loaded = fromOllamaPs({
      models: [{ name: 'deepseek-r1:7b', model: 'deepseek-r1:7b', size: 6_000, size_vram: 4_000, expires_at: '2025-06-02T10:14:03.512431677Z', context_length: 4096 }],
    });
    expect(loaded).toEqual([{ name: 'deepseek-r1:7b', sizeBytes: 6_000, vramBytes: 4_000, contextLength: 4096, expiresAt: new Date('2025-06-02T10:14:03.512Z') }]);
  });

  it('treats null models as nothing loaded', () => {
    expect(fromOllamaPs({ models: null })).toEqual([]);
  });
});

describe('fromOllamaShowDescription', () => {
  it('reads architecture and block count from model_info', () => {
    const show = { capabilities: ['completion'], model_info: { 'general.architecture': 'qwen2', 'qwen2.block_count': 28, 'qwen2.context_length': 131072 } };
    const description = fromOllamaShowDescription('deepseek-r1:7b', show);
    expect(description).toMatchObject({ id: 'deepseek-r1:7b', architecture: 'qwen2', blockCount: 28, contextLength: 131072, capabilities: ['completion'] });
  });

  it('leaves the block count out when model_info lacks it (the recorded show fixture)', () => {
    const description = fromOllamaShowDescription('qwen3:8b', ollamaShowSchema.parse(fixtureJson('show.json')));
    expect(description).toMatchObject({ architecture: 'qwen3', contextLength: 131072 });
    expect(description.blockCount).toBeUndefined();
  });
});

describe('fromOllamaProgressLine', () => {
  it('keeps status, digest and byte counts', () => {
    expect(fromOllamaProgressLine({ status: 'pulling 1a2b', digest: 'sha256:1a2b', total: 10, completed: 5 }, 'm')).toEqual({
      status: 'pulling 1a2b', digest: 'sha256:1a2b', total: 10, completed: 5,
    });
  });

  it('turns "file does not exist" into model_not_found for the named model', () => {
    const attempt = () => fromOllamaProgressLine({ error: 'pull model manifest: file does not exist' }, 'nope:1b');
    expect(attempt).toThrow(ModelNotFoundError);
    expect(attempt).toThrow(/'nope:1b'/);
  });

  it('turns other error lines into upstream errors', () => {
    expect(() => fromOllamaProgressLine({ error: 'disk full' }, 'm')).toThrow(UpstreamError);
  });
});

describe('load, unload and create requests', () => {
  it('loads with an empty prompt, runner options and keep_alive', () => {
    expect(toOllamaLoadRequest({ model: 'm', options: { main_gpu: 1, num_gpu: 20 }, keepAlive: '30m' })).toEqual({
      model: 'm', prompt: '', stream: false, keep_alive: '30m', options: { main_gpu: 1, num_gpu: 20 },
    });
    expect(toOllamaLoadRequest({ model: 'm', options: {} })).toEqual({ model: 'm', prompt: '', stream: false });
  });

  it('unloads with keep_alive 0', () => {
    expect(toOllamaUnloadRequest('m')).toEqual({ model: 'm', prompt: '', stream: false, keep_alive: 0 });
  });

  it('creates from a base with system, messages, parameters and adapters, omitting empty parts', () => {
    expect(toOllamaCreateRequest({
      model: 'new', from: 'base', system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }], parameters: { temperature: 0.2 }, adapters: { 'a.gguf': 'sha256:00' },
    })).toEqual({
      model: 'new', from: 'base', stream: true, system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }], parameters: { temperature: 0.2 }, adapters: { 'a.gguf': 'sha256:00' },
    });
    expect(toOllamaCreateRequest({ model: 'new', from: 'base', messages: [], parameters: {} })).toEqual({ model: 'new', from: 'base', stream: true });
  });
});

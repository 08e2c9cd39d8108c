import { describe, expect, it } from 'vitest';
import { fromOllamaShow, fromOllamaTags, ownerOf } from '../../../src/ollama/from-ollama-tags.js';
import { ollamaShowSchema, ollamaTagsSchema } from '../../../src/ollama/ollama-wire.js';
import { fixtureJson } from './ollama-fixtures.js';

describe('fromOllamaTags', () => {
  it('lists installed models with their details (tags.json)', () => {
    const models = fromOllamaTags(ollamaTagsSchema.parse(fixtureJson('tags.json')));
    expect(models[0]).toEqual({
      id: 'deepseek-r1:8b',
      createdAt: new Date('2025-06-02T09:21:41.436Z'),
      ownedBy: 'library',
      sizeBytes: 5225376047,
      family: 'qwen3',
      parameterSize: '8.2B',
      quantization: 'Q4_K_M',
      capabilities: ['completion', 'thinking'],
    });
    expect(models.map((model) => [model.id, model.ownedBy])).toEqual([
      ['deepseek-r1:8b', 'library'],
      ['hf.co/bartowski/DeepSeek-Coder-V2-Lite-Instruct-GGUF:Q4_K_M', 'bartowski'],
      ['jdoe/r1-custom:latest', 'jdoe'],
    ]);
  });

  it.each([{ models: [] }, { models: null }])('returns an empty list for %j', (body) => {
    expect(fromOllamaTags(ollamaTagsSchema.parse(body))).toEqual([]);
  });

  it('uses the epoch for an unparsable modified_at and name when model is absent', () => {
    const [model] = fromOllamaTags(ollamaTagsSchema.parse({ models: [{ name: 'x:latest', modified_at: 'soon' }] }));
    expect(model).toEqual({ id: 'x:latest', createdAt: new Date(0), ownedBy: 'library' });
  });
});

describe('ownerOf', () => {
  it.each([
    ['deepseek-r1:8b', 'library'],
    ['jdoe/model:tag', 'jdoe'],
    ['registry.example.com/team/model', 'team'],
  ])('%s is owned by %s', (name, owner) => {
    expect(ownerOf(name)).toBe(owner);
  });
});

describe('fromOllamaShow', () => {
  it('reads context length, capabilities and family (show.json)', () => {
    expect(fromOllamaShow('deepseek-r1:8b', ollamaShowSchema.parse(fixtureJson('show.json')))).toEqual({
      id: 'deepseek-r1:8b',
      createdAt: new Date('2025-06-02T09:21:41.436Z'),
      ownedBy: 'library',
      family: 'qwen3',
      parameterSize: '8.2B',
      quantization: 'Q4_K_M',
      capabilities: ['completion', 'thinking'],
      contextLength: 131072,
    });
  });

  it('leaves contextLength out when the metadata lacks it', () => {
    expect(fromOllamaShow('m', ollamaShowSchema.parse({ model_info: { 'general.architecture': 'llama' } }))).not.toHaveProperty(
      'contextLength',
    );
  });
});

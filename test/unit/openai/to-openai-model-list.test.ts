import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../src/core/chat-result.js';
import { toOpenAIModel, toOpenAIModelList } from '../../../src/openai/to-openai-model-list.js';
import { validateOpenAI } from '../../helpers/openai-schema.js';

const models: ModelInfo[] = [
  { id: 'deepseek-r1:14b', createdAt: new Date('2025-02-01T10:00:00.900Z'), ownedBy: 'library', family: 'qwen2' },
  { id: 'hf.co/org/repo:Q4_K_M', createdAt: new Date('invalid'), ownedBy: 'hf.co' },
];

describe('toOpenAIModelList', () => {
  it('lists models with unix-second created and owned_by', () => {
    const list = toOpenAIModelList(models);
    expect(validateOpenAI('ListModelsResponse', list)).toEqual([]);
    expect(list).toEqual({
      object: 'list',
      data: [
        { id: 'deepseek-r1:14b', object: 'model', created: 1738404000, owned_by: 'library' },
        { id: 'hf.co/org/repo:Q4_K_M', object: 'model', created: 0, owned_by: 'hf.co' },
      ],
    });
  });

  it('renders a single model', () => {
    const model = toOpenAIModel(models[0]!);
    expect(validateOpenAI('Model', model)).toEqual([]);
    expect(model.id).toBe('deepseek-r1:14b');
  });
});

import { describe, expect, it } from 'vitest';
import type { TrainingExample } from '../../../src/finetune/training-data.js';
import { DEFAULT_MAX_EXAMPLES, toModelfileSpec } from '../../../src/finetune/to-modelfile-spec.js';

const example = (question: string, system?: string): TrainingExample => ({
  messages: [
    ...(system === undefined ? [] : [{ role: 'system' as const, content: system }]),
    { role: 'user', content: question },
    { role: 'assistant', content: `A: ${question}` },
  ],
});

const base = { baseModel: 'deepseek-r1:7b', model: 'deepseek-r1:7b-ft-x' };

describe('toModelfileSpec', () => {
  it('carries the system prompt, the examples as messages and the sampling hyperparameters', () => {
    const plan = toModelfileSpec({ ...base, examples: [example('q1', 'Be terse.'), example('q2', 'Be terse.')], hyperparams: { temperature: 0.2, num_ctx: 8192, stop: ['###'] } });
    expect(plan.spec).toEqual({
      model: 'deepseek-r1:7b-ft-x',
      from: 'deepseek-r1:7b',
      system: 'Be terse.',
      messages: [
        { role: 'user', content: 'q1' }, { role: 'assistant', content: 'A: q1' },
        { role: 'user', content: 'q2' }, { role: 'assistant', content: 'A: q2' },
      ],
      parameters: { temperature: 0.2, num_ctx: 8192, stop: ['###'] },
    });
    expect(plan).toMatchObject({ ignored: [], systemPrompts: 1, examplesUsed: 2 });
  });

  it('lists hyperparameters that need weight training as ignored', () => {
    const plan = toModelfileSpec({ ...base, examples: [example('q')], hyperparams: { n_epochs: 3, learning_rate_multiplier: 2, top_p: 0.9 } });
    expect(plan.ignored).toEqual(['n_epochs', 'learning_rate_multiplier']);
    expect(plan.spec.parameters).toEqual({ top_p: 0.9 });
  });

  it('uses the most common system prompt and says how many there were', () => {
    const plan = toModelfileSpec({ ...base, examples: [example('1', 'A'), example('2', 'B'), example('3', 'B')], hyperparams: {} });
    expect(plan.spec.system).toBe('B');
    expect(plan.systemPrompts).toBe(2);
  });

  it('has no system prompt when the dataset has none', () => {
    expect(toModelfileSpec({ ...base, examples: [example('q')], hyperparams: {} }).spec.system).toBeUndefined();
  });

  it(`keeps at most ${DEFAULT_MAX_EXAMPLES} examples unless max_examples says otherwise`, () => {
    const examples = Array.from({ length: 30 }, (_, i) => example(`q${i}`));
    expect(toModelfileSpec({ ...base, examples, hyperparams: {} }).spec.messages).toHaveLength(2 * DEFAULT_MAX_EXAMPLES);
    const plan = toModelfileSpec({ ...base, examples, hyperparams: { max_examples: 2 } });
    expect(plan.spec.messages).toHaveLength(4);
    expect(plan.spec.parameters).toEqual({});
  });

  it.each([
    [{ temperature: 'hot' }, "'hyperparams.temperature' must be a number"],
    [{ num_ctx: 1.5 }, "'hyperparams.num_ctx' must be an integer"],
    [{ stop: [1] }, "'hyperparams.stop' must be a string or an array of strings"],
    [{ max_examples: -1 }, "'hyperparams.max_examples' must be a non-negative integer"],
  ])('rejects %j with a 400', (hyperparams, message) => {
    expect(() => toModelfileSpec({ ...base, examples: [example('q')], hyperparams })).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining(message) }));
  });
});

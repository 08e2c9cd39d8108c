import { describe, expect, it } from 'vitest';
import { validateOpenAI } from '../../helpers/openai-schema.js';

// Guards the guard: every converter test relies on validateOpenAI actually rejecting bad shapes.
describe('validateOpenAI', () => {
  it('rejects a chat.completion whose message lacks refusal and whose arguments are an object', () => {
    const errors = validateOpenAI('CreateChatCompletionResponse', {
      id: 'x',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          logprobs: null,
          finish_reason: 'tool_calls',
          message: { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }] },
        },
      ],
    });
    expect(errors.join('\n')).toMatch(/refusal/);
    expect(errors.join('\n')).toMatch(/arguments/);
  });

  it('throws on a schema name that does not exist', () => {
    expect(() => validateOpenAI('NoSuchThing', {})).toThrow(/NoSuchThing/);
  });
});

import { describe, expect, it } from 'vitest';
import { parseTrainingData } from '../../../src/finetune/training-data.js';

const line = (messages: unknown) => JSON.stringify({ messages });
const good = line([{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.' }]);

describe('parseTrainingData', () => {
  it('reads one example per line, skipping blank lines and \\r', () => {
    const examples = parseTrainingData(`${good}\r\n\n${good}\n`);
    expect(examples).toHaveLength(2);
    expect(examples[0]!.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant']);
  });

  it('drops fields the trainers do not use', () => {
    const [example] = parseTrainingData(JSON.stringify({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b', weight: 0 }], extra: 1 }));
    expect(example).toEqual({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] });
  });

  it.each([
    ['{"messages": [', 'line 2: not valid JSON'],
    ['[1,2]', 'line 2: expected a JSON object'],
    ['{"prompt":"x","completion":"y"}', 'line 2: "messages" must be a non-empty array'],
    [line([{ role: 'user', content: 'only a question' }]), 'line 2: needs at least one assistant message'],
    [line([{ role: 'tool', content: 'x' }, { role: 'assistant', content: 'y' }]), 'line 2: messages[0].role must be one of system, user, assistant'],
    [line([{ role: 'user', content: 'x' }, { role: 'assistant', content: null }]), 'line 2: messages[1].content must be a string'],
  ])('names the bad line: %s', (bad, message) => {
    expect(() => parseTrainingData(`${good}\n${bad}\n${good}`)).toThrow(expect.objectContaining({ status: 400, param: 'training_data', message: expect.stringContaining(message) }));
  });

  it('counts every bad line and lists the first ten', () => {
    const text = Array.from({ length: 12 }, () => 'nope').join('\n');
    expect(() => parseTrainingData(text)).toThrow(/has 12 invalid lines: line 1: not valid JSON;.*line 10: not valid JSON \(and 2 more\)/);
  });

  it('never quotes the content of a bad line', () => {
    expect(() => parseTrainingData('root:x:0:0:root:/root:/bin/bash')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('root:') }));
  });

  it('refuses an empty file', () => {
    expect(() => parseTrainingData('\n\n')).toThrow(/holds no examples/);
  });
});

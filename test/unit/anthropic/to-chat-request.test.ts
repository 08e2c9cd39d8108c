import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toAnthropicCall, toCountTokensRequest } from '../../../src/anthropic/to-chat-request.js';
import { InvalidRequestError } from '../../../src/core/errors.js';

// Request → expected canonical call pairs in test/fixtures/anthropic (<scenario>.request.json, <scenario>.expected.json).
const directory = new URL('../../fixtures/anthropic/', import.meta.url);
const read = (file: string): unknown => JSON.parse(readFileSync(new URL(file, directory), 'utf8'));
const scenarios = readdirSync(directory)
  .filter((file) => file.endsWith('.request.json'))
  .map((file) => file.replace('.request.json', ''));

const base = { model: 'deepseek-v3.1:671b', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };

function refusal(body: unknown): string {
  try {
    toAnthropicCall(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return (error as InvalidRequestError).message;
  }
  throw new Error('the body was accepted');
}

describe('toAnthropicCall', () => {
  it('has fixtures', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(4);
  });

  it.each(scenarios)('translates %s', (scenario) => {
    expect(toAnthropicCall(read(`${scenario}.request.json`))).toEqual(read(`${scenario}.expected.json`));
  });

  it.each([
    ['missing max_tokens', { model: 'm', messages: [] }, 'max_tokens: Field required'],
    ['max_tokens 0', { ...base, max_tokens: 0 }, 'max_tokens: '],
    ['a body that is not an object', [1, 2], 'the request body must be a JSON object'],
    ['an unknown role', { ...base, messages: [{ role: 'tool', content: 'x' }] }, "messages.0.role: role must be 'user' or 'assistant'"],
    ['a document block', { ...base, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }, 'messages.0.content.0.type: content block type must be'],
    ['an image URL', { ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }] }, 'only base64 image sources'],
    ['tool_use input that is not an object', { ...base, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'n', input: [1] }] }] }, 'messages.0.content.0.input: tool_use input must be a JSON object'],
    ['a server tool', { ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, "tools.0.type: tool type 'web_search_20250305' is not supported"],
    ['a custom tool without input_schema', { ...base, tools: [{ name: 'x' }] }, 'tools.0.input_schema: Field required'],
    ['duplicate tool names', { ...base, tools: [{ name: 'x', input_schema: {} }, { name: 'x', input_schema: {} }] }, "tools.1.name: duplicate tool name 'x'"],
    ['tool_choice any without tools', { ...base, tool_choice: { type: 'any' } }, "tool_choice.type: 'any' needs at least one tool"],
    ['tool_choice naming an undeclared tool', { ...base, tools: [{ name: 'x', input_schema: {} }], tool_choice: { type: 'tool', name: 'y' } }, "tool_choice.name: no tool named 'y'"],
    ['temperature above 1', { ...base, temperature: 1.5 }, 'temperature: '],
    ['an unknown thinking type', { ...base, thinking: { type: 'sometimes' } }, "thinking.type: thinking type must be 'enabled', 'adaptive' or 'disabled'"],
  ])('refuses %s with a 400 naming the field', (_name, body, message) => {
    expect(refusal(body)).toContain(message);
  });

  it('sets param to the dotted field path', () => {
    try {
      toAnthropicCall({ ...base, max_tokens: undefined });
    } catch (error) {
      expect((error as InvalidRequestError).param).toBe('max_tokens');
    }
  });

  it.each([
    [{ type: 'enabled', budget_tokens: 1024 }, undefined, { enabled: true, effort: 'low' }],
    [{ type: 'enabled', budget_tokens: 20000 }, undefined, { enabled: true, effort: 'high' }],
    [{ type: 'enabled', budget_tokens: 20000 }, 'low', { enabled: true, effort: 'low' }],
    [{ type: 'enabled', budget_tokens: 1024 }, 'max', { enabled: true, effort: 'high' }],
    [{ type: 'adaptive' }, undefined, undefined],
    [{ type: 'adaptive' }, 'max', undefined],
    [{ type: 'disabled' }, 'high', { enabled: false }],
    [undefined, 'high', undefined],
  ])('maps thinking %j with effort %s to reasoning %j', (thinking, effort, reasoning) => {
    const body = { ...base, ...(thinking ? { thinking } : {}), ...(effort ? { output_config: { effort } } : {}) };
    expect(toAnthropicCall(body).request.reasoning).toEqual(reasoning);
  });

  it('asks the pipeline to report which stop sequence ended the answer, only when there are some', () => {
    expect(toAnthropicCall({ ...base, stop_sequences: ['END', '###'] }).request).toMatchObject({ sampling: { stop: ['END', '###'] }, reportStopSequence: true });
    expect(toAnthropicCall({ ...base, stop_sequences: [] }).request).not.toHaveProperty('reportStopSequence');
    expect(toAnthropicCall(base).request).not.toHaveProperty('reportStopSequence');
  });

  it("drops tool_choice 'auto' and 'none' when no tools are declared", () => {
    expect(toAnthropicCall({ ...base, tool_choice: { type: 'none' } }).request).not.toHaveProperty('toolChoice');
  });
});

describe('toCountTokensRequest', () => {
  it('needs no max_tokens and keeps system, messages and tools', () => {
    const request = toCountTokensRequest({ model: 'm', system: 'sys', messages: [{ role: 'user', content: 'hi' }], tools: [{ name: 't', input_schema: { type: 'object' } }] });
    expect(request).toEqual({
      model: 'm',
      messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }],
      sampling: {},
      tools: [{ name: 't', parameters: { type: 'object' } }],
    });
  });
});

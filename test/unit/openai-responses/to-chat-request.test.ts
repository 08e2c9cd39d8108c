import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../src/core/errors.js';
import { encodeCompaction } from '../../../src/openai-responses/compaction.js';
import { toChatRequest } from '../../../src/openai-responses/to-chat-request.js';
import { counterIds } from './meta.js';

interface Case {
  scenario: string;
  body: unknown;
  request: unknown;
  warnings: string[];
}
const cases = JSON.parse(readFileSync(new URL('../../fixtures/openai-responses/to-chat-request.json', import.meta.url), 'utf8')) as Case[];

function refusal(body: unknown): InvalidRequestError {
  try {
    toChatRequest(body, counterIds());
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('toChatRequest (Responses)', () => {
  it.each(cases)('$scenario', ({ body, request, warnings }) => {
    const call = toChatRequest(body, counterIds());
    expect(call.request).toEqual(request);
    expect(call.warnings).toEqual(warnings);
  });

  it('keeps instructions out of the input that a stored conversation keeps', () => {
    const call = toChatRequest({ model: 'm', input: 'Hi', instructions: 'Rules' }, counterIds());
    expect(call.instructions).toEqual({ role: 'system', content: 'Rules' });
    expect(call.input).toEqual([{ role: 'user', content: 'Hi' }]);
  });

  it('maps namespaced and custom tools back to what the client declared', () => {
    const call = toChatRequest(cases[2]!.body, counterIds());
    expect(call.toolNames.get('agents__spawn')).toEqual({ kind: 'function', name: 'spawn', namespace: 'agents' });
    expect(call.toolNames.get('apply_patch')).toEqual({ kind: 'custom', name: 'apply_patch' });
  });

  it('echoes defaults in the response settings: store true, parallel tool calls, text format', () => {
    const { echo, store, stream } = toChatRequest({ model: 'm', input: 'Hi' }, counterIds());
    expect({ store, stream }).toEqual({ store: true, stream: false });
    expect(echo).toMatchObject({ store: true, parallel_tool_calls: true, tool_choice: 'auto', text: { format: { type: 'text' } }, metadata: {}, tools: [] });
  });

  it('gives input items without ids an id, for the input_items listing', () => {
    const input = [
      { role: 'user', content: 'a' },
      { type: 'message', id: 'msg_own', role: 'user', content: 'b' },
      { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c', output: 'x' },
    ];
    const { inputItems } = toChatRequest({ model: 'm', input }, counterIds());
    expect(inputItems.map((item) => item.id)).toEqual(['msg_1', 'msg_own', 'fc_2', 'fco_3']);
    expect(inputItems[0]).toMatchObject({ type: 'message', role: 'user', content: 'a' });
  });

  it('turns a compaction item from /responses/compact back into the summary as a system message', () => {
    const call = toChatRequest({ model: 'm', input: [{ type: 'compaction', encrypted_content: encodeCompaction('They met.') }, { role: 'user', content: 'next' }] }, counterIds());
    expect(call.request.messages[0]).toEqual({ role: 'system', content: 'Summary of the earlier conversation:\nThey met.' });
  });

  it.each([
    ['a missing input', { model: 'm' }, 'input'],
    ['a function call without call_id', { model: 'm', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'input[0].call_id'],
    ['function call arguments that are not a JSON object', { model: 'm', input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '[1]' }] }, 'input[0].arguments'],
    ['an http image URL', { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] }, 'input[0].content[0].image_url'],
    ['a foreign compaction item', { model: 'm', input: [{ type: 'compaction', encrypted_content: 'gAAAA' }] }, 'input[0].encrypted_content'],
    ['tool_choice naming an undeclared tool', { model: 'm', input: 'x', tools: [{ type: 'function', name: 'f' }], tool_choice: { type: 'function', name: 'g' } }, 'tool_choice.name'],
    ['duplicate tool names', { model: 'm', input: 'x', tools: [{ type: 'function', name: 'f' }, { type: 'function', name: 'f' }] }, 'tools[1].name'],
    ['background mode', { model: 'm', input: 'x', background: true }, 'background'],
    ['an unknown reasoning effort', { model: 'm', input: 'x', reasoning: { effort: 'extreme' } }, 'reasoning.effort'],
  ])('refuses %s with a 400 naming the param', (_name, body, param) => {
    expect(refusal(body).param).toBe(param);
  });
});

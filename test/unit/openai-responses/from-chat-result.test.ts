import { describe, expect, it } from 'vitest';
import { fromChatResult } from '../../../src/openai-responses/from-chat-result.js';
import { toChatRequest } from '../../../src/openai-responses/to-chat-request.js';
import { counterIds, fixedMeta } from './meta.js';

const call = toChatRequest(
  { model: 'deepseek-r1:7b', input: 'x', instructions: 'Be brief.', tools: [{ type: 'namespace', name: 'ns', description: 'd', tools: [{ type: 'function', name: 'f' }] }], metadata: { a: 'b' } },
  counterIds(),
);
const base = { model: 'deepseek-r1:7b', createdAt: new Date(0), usage: { promptTokens: 12, completionTokens: 5, cachedTokens: 4 } };

describe('fromChatResult', () => {
  it('builds a completed response: reasoning, message, echoed settings and usage', () => {
    const response = fromChatResult({ ...base, finishReason: 'stop', message: { role: 'assistant', content: '4', reasoning: '2+2' } }, fixedMeta(call));
    expect(response).toEqual({
      id: 'resp_test',
      object: 'response',
      created_at: 1_700_000_000,
      completed_at: 1_700_000_005,
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: 'deepseek-r1:7b',
      instructions: 'Be brief.',
      output: [
        { type: 'reasoning', id: 'rs_1', status: 'completed', summary: [{ type: 'summary_text', text: '2+2' }], content: [{ type: 'reasoning_text', text: '2+2' }] },
        { type: 'message', id: 'msg_2', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: '4', annotations: [], logprobs: [] }] },
      ],
      parallel_tool_calls: true,
      tool_choice: 'auto',
      tools: [{ type: 'namespace', name: 'ns', description: 'd', tools: [{ type: 'function', name: 'f', description: null, parameters: null, strict: null }] }],
      temperature: null,
      top_p: null,
      max_output_tokens: null,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      text: { format: { type: 'text' } },
      truncation: 'disabled',
      metadata: { a: 'b' },
      store: true,
      background: false,
      service_tier: 'default',
      usage: { input_tokens: 12, input_tokens_details: { cached_tokens: 4 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 17 },
    });
  });

  it('gives a namespaced function call its namespace back and leaves out the empty message', () => {
    const response = fromChatResult(
      { ...base, finishReason: 'tool_calls', message: { role: 'assistant', content: '', toolCalls: [{ id: 'call_9', name: 'ns__f', argumentsJson: '{}' }] } },
      fixedMeta(call),
    );
    expect(response.output).toEqual([{ type: 'function_call', id: 'fc_1', call_id: 'call_9', name: 'f', namespace: 'ns', arguments: '{}', status: 'completed' }]);
  });

  it('marks a length-limited answer incomplete with reason max_output_tokens', () => {
    const response = fromChatResult({ ...base, finishReason: 'length', message: { role: 'assistant', content: 'Par' } }, fixedMeta(call));
    expect(response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, completed_at: null, output: [{ status: 'incomplete' }] });
  });
});

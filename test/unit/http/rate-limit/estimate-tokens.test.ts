import { describe, expect, it } from 'vitest';
import { toAnthropicCall } from '../../../../src/anthropic/to-chat-request.js';
import { estimateRequestTokens } from '../../../../src/http/rate-limit/estimate-tokens.js';
import { newItemId } from '../../../../src/openai-responses/responses-ids.js';
import { toChatRequest as toResponsesCall } from '../../../../src/openai-responses/to-chat-request.js';
import { toChatCall } from '../../../../src/openai/to-chat-request.js';
import { toEmbeddingCall } from '../../../../src/openai/to-embedding-request.js';
import { toTextCall } from '../../../../src/openai/to-text-request.js';

// The estimate reads the canonical request a route parsed, so each protocol's body is parsed as its route does.

describe('estimateRequestTokens', () => {
  it('counts about four characters per prompt token plus max_tokens for chat', () => {
    const { request } = toChatCall({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(40) }], max_tokens: 50 });
    expect(estimateRequestTokens(request, 256)).toBe(60);
  });

  it('prefers max_completion_tokens and falls back to the configured allowance', () => {
    const messages = [{ role: 'user', content: 'abcd' }];
    expect(estimateRequestTokens(toChatCall({ model: 'm', messages, max_tokens: 50, max_completion_tokens: 7 }).request, 256)).toBe(8);
    expect(estimateRequestTokens(toChatCall({ model: 'm', messages }).request, 256)).toBe(257);
  });

  it('reads text content parts and tool definitions', () => {
    const { request } = toChatCall({
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(8) }] }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      max_tokens: 1,
    });
    expect(estimateRequestTokens(request, 0)).toBe(Math.ceil((8 + JSON.stringify(request.tools).length) / 4) + 1);
  });

  it("counts an Anthropic body's system prompt and tool results", () => {
    const { request } = toAnthropicCall({
      model: 'm',
      system: [{ type: 'text', text: 'x'.repeat(8) }],
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }, { type: 'tool_use', id: 'u', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'y'.repeat(8) }] }, { type: 'tool_result', tool_use_id: 'u', content: 'z'.repeat(4) }] },
      ],
      max_tokens: 10,
    });
    // 8 + 8 + 4 characters of text and two `{}` argument objects.
    expect(estimateRequestTokens(request, 256)).toBe(Math.ceil((20 + 4) / 4) + 10);
  });

  it('counts prompt and suffix of text completions', () => {
    expect(estimateRequestTokens(toTextCall({ model: 'm', prompt: 'x'.repeat(8), suffix: 'y'.repeat(4), max_tokens: 1 }).request, 0)).toBe(4);
  });

  it('counts embedding inputs without a completion allowance', () => {
    expect(estimateRequestTokens(toEmbeddingCall({ model: 'e', input: ['abcd', 'abcdefgh'] }).request, 256)).toBe(3);
  });

  it('counts Responses API input items and instructions plus max_output_tokens', () => {
    const input = [
      { role: 'user', content: [{ type: 'input_text', text: 'x'.repeat(8) }] },
      { type: 'function_call', call_id: 'c', name: 'f', arguments: '{"":1}' },
      { type: 'function_call_output', call_id: 'c', output: 'z'.repeat(4) },
    ];
    const call = toResponsesCall({ model: 'm', input, instructions: 'abcd', max_output_tokens: 10 }, newItemId);
    // 8 + 4 (instructions) + 4 (output) characters and the 6 of the arguments.
    expect(estimateRequestTokens(call.request, 256)).toBe(Math.ceil(22 / 4) + 10);
    expect(estimateRequestTokens(toResponsesCall({ model: 'm', input: 'abcd', stream: true }, newItemId).request, 256)).toBe(1 + 256);
  });
});

import { describe, expect, it } from 'vitest';
import { estimateRequestTokens } from '../../../../src/http/rate-limit/estimate-tokens.js';

describe('estimateRequestTokens', () => {
  it('counts about four characters per prompt token plus max_tokens for chat', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'x'.repeat(40) }], max_tokens: 50 };
    expect(estimateRequestTokens(body, 256)).toBe(60);
  });

  it('prefers max_completion_tokens and falls back to the configured allowance', () => {
    const messages = [{ role: 'user', content: 'abcd' }];
    expect(estimateRequestTokens({ messages, max_tokens: 50, max_completion_tokens: 7 }, 256)).toBe(8);
    expect(estimateRequestTokens({ messages }, 256)).toBe(257);
  });

  it('reads text content parts and tool definitions', () => {
    const body = { messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(8) }, { type: 'image_url', image_url: { url: 'data:' } }] }], tools: [{ type: 'function', function: { name: 'f' } }], max_tokens: 0 };
    expect(estimateRequestTokens(body, 0)).toBe(2 + Math.ceil(JSON.stringify(body.tools).length / 4));
  });

  it("counts an Anthropic body's system prompt and tool results", () => {
    const body = {
      system: [{ type: 'text', text: 'x'.repeat(8) }],
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'y'.repeat(8) }] }, { type: 'tool_result', tool_use_id: 'u', content: 'z'.repeat(4) }] }],
      max_tokens: 10,
    };
    expect(estimateRequestTokens(body, 256)).toBe(5 + 10);
  });

  it('counts prompt and suffix of text completions', () => {
    expect(estimateRequestTokens({ prompt: 'x'.repeat(8), suffix: 'y'.repeat(4), max_tokens: 1 }, 0)).toBe(4);
  });

  it('counts embedding inputs without a completion allowance', () => {
    expect(estimateRequestTokens({ model: 'e', input: ['abcd', 'abcdefgh'] }, 256)).toBe(3);
  });

  it('counts Responses API input items, instructions and tools plus max_output_tokens', () => {
    const input = [
      { role: 'user', content: [{ type: 'input_text', text: 'x'.repeat(8) }] },
      { type: 'function_call', call_id: 'c', name: 'f', arguments: 'y'.repeat(4) },
      { type: 'function_call_output', call_id: 'c', output: 'z'.repeat(4) },
    ];
    expect(estimateRequestTokens({ model: 'm', input, instructions: 'abcd', max_output_tokens: 10 }, 256)).toBe(5 + 10);
    expect(estimateRequestTokens({ model: 'm', input: 'abcd', stream: true }, 256)).toBe(1 + 256);
  });

  it('is 0 for bodies that generate nothing', () => {
    expect(estimateRequestTokens(undefined, 256)).toBe(0);
    expect(estimateRequestTokens({}, 256)).toBe(0);
  });
});

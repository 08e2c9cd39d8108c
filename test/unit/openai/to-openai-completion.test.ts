import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../src/core/chat-request.js';
import type { ChatResult } from '../../../src/core/chat-result.js';
import { toOpenAICompletion } from '../../../src/openai/to-openai-completion.js';
import { validateOpenAI } from '../../helpers/openai-schema.js';
import { startedAt, usage } from './chat-events.js';

const meta = { id: 'chatcmpl-test', created: 1767225600, model: 'deepseek-chat', systemFingerprint: 'fp_test' };
const result = (message: Partial<ChatMessage>, extra: Partial<ChatResult> = {}): ChatResult => ({
  model: 'deepseek-r1:14b',
  createdAt: startedAt,
  message: { role: 'assistant', content: '', ...message },
  finishReason: 'stop',
  usage,
  ...extra,
});

function convert(input: ChatResult) {
  const completion = toOpenAICompletion(input, meta);
  expect(validateOpenAI('CreateChatCompletionResponse', completion)).toEqual([]);
  return completion;
}

describe('toOpenAICompletion', () => {
  it('builds a chat.completion for a text answer', () => {
    expect(convert(result({ content: 'Bonjour' }))).toEqual({
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 1767225600,
      model: 'deepseek-chat',
      system_fingerprint: 'fp_test',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Bonjour', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 },
    });
  });

  it('sends null content, string arguments and finish_reason tool_calls for a tool-only turn', () => {
    const calls = [
      { id: 'call_1', name: 'get_weather', argumentsJson: '{"city":"Paris"}' },
      { id: 'call_2', name: 'get_time', argumentsJson: '{}' },
    ];
    const choice = convert(result({ content: '', toolCalls: calls })).choices[0]!;
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);
    expect(choice.finish_reason).toBe('tool_calls');
  });

  it('keeps text that accompanies tool calls', () => {
    const calls = [{ id: 'call_1', name: 'f', argumentsJson: '{}' }];
    expect(convert(result({ content: 'Checking.', toolCalls: calls })).choices[0]!.message.content).toBe('Checking.');
  });

  it('adds reasoning_content only when there is reasoning', () => {
    expect(convert(result({ content: '4', reasoning: '2+2' })).choices[0]!.message.reasoning_content).toBe('2+2');
    expect(convert(result({ content: '4' })).choices[0]!.message).not.toHaveProperty('reasoning_content');
  });

  it('reports length when the token cap was hit', () => {
    expect(convert(result({ content: 'cut' }, { finishReason: 'length' })).choices[0]!.finish_reason).toBe('length');
  });

  it('adds usage details only when they are known', () => {
    const withDetails = convert(result({ content: 'x' }, { usage: { ...usage, reasoningTokens: 7, cachedTokens: 10 } }));
    expect(withDetails.usage).toEqual({
      prompt_tokens: 12,
      completion_tokens: 30,
      total_tokens: 42,
      prompt_tokens_details: { cached_tokens: 10 },
      completion_tokens_details: { reasoning_tokens: 7 },
      prompt_cache_hit_tokens: 10,
      prompt_cache_miss_tokens: 2,
    });
  });

  it('leaves the cache fields out when the cached count is unknown', () => {
    const usageOut = convert(result({ content: 'x' })).usage;
    expect(usageOut).not.toHaveProperty('prompt_tokens_details');
    expect(usageOut).not.toHaveProperty('prompt_cache_hit_tokens');
  });

  it('maps token logprobs to choices[].logprobs.content', () => {
    const logprobs = [{ token: 'Hi', logprob: -0.25, bytes: [72, 105], top: [{ token: 'Hi', logprob: -0.25, bytes: [72, 105] }, { token: 'Hey', logprob: -2 }] }];
    const completion = convert({ ...result({ content: 'Hi' }), logprobs });
    expect(completion.choices[0]!.logprobs).toEqual({
      content: [
        {
          token: 'Hi',
          logprob: -0.25,
          bytes: [72, 105],
          top_logprobs: [
            { token: 'Hi', logprob: -0.25, bytes: [72, 105] },
            { token: 'Hey', logprob: -2, bytes: null },
          ],
        },
      ],
      refusal: null,
    });
    expect(convert(result({ content: 'Hi' })).choices[0]!.logprobs).toBeNull();
  });
});

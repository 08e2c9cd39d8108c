import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { fromChatResult, toAnthropicUsage } from '../../../src/anthropic/from-chat-result.js';
import type { AnthropicContentBlock, AnthropicMessageObject } from '../../../src/anthropic/anthropic-wire.js';
import type { ChatResult } from '../../../src/core/chat-result.js';

// What we send must type-check as the SDK's own types for every field we fill (the SDK declares newer
// fields, such as container or citations, that Anthropic's API adds and its clients do not need).
type SdkBlock =
  | Pick<Anthropic.TextBlock, 'type' | 'text'>
  | Pick<Anthropic.ThinkingBlock, 'type' | 'thinking' | 'signature'>
  | Pick<Anthropic.ToolUseBlock, 'type' | 'id' | 'name' | 'input'>;
type SdkMessage = Pick<Anthropic.Message, 'id' | 'type' | 'role' | 'model' | 'stop_reason' | 'stop_sequence'> & {
  content: SdkBlock[];
  usage: Pick<Anthropic.Usage, 'input_tokens' | 'output_tokens'> & Partial<Pick<Anthropic.Usage, 'cache_read_input_tokens'>>;
};
const asSdk = (message: AnthropicMessageObject): SdkMessage => message;
const asSdkBlock = (block: AnthropicContentBlock): SdkBlock => block;

const meta = { id: 'msg_test', model: 'claude-test', omitThinking: false };
const result = (overrides: Partial<ChatResult> = {}): ChatResult => ({
  model: 'deepseek-r1:7b',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  message: { role: 'assistant', content: 'Hello.' },
  finishReason: 'stop',
  usage: { promptTokens: 12, completionTokens: 3 },
  ...overrides,
});

describe('fromChatResult', () => {
  it('answers a plain result as a message with one text block', () => {
    expect(asSdk(fromChatResult(result(), meta))).toEqual({
      id: 'msg_test',
      type: 'message',
      role: 'assistant',
      model: 'claude-test',
      content: [{ type: 'text', text: 'Hello.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 3 },
    });
  });

  it('orders thinking, text, then tool_use blocks with toolu_ ids and object inputs', () => {
    const message = fromChatResult(
      result({
        message: { role: 'assistant', content: 'Checking.', reasoning: 'Need the weather.', toolCalls: [{ id: 'call_abc123', name: 'weather', argumentsJson: '{"city":"Lima"}' }] },
        finishReason: 'tool_calls',
      }),
      meta,
    );
    expect(message.content.map(asSdkBlock)).toEqual([
      { type: 'thinking', thinking: 'Need the weather.', signature: 'ollama-proxy-unsigned' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'toolu_abc123', name: 'weather', input: { city: 'Lima' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('keeps the thinking block but not its text when display is omitted', () => {
    const message = fromChatResult(result({ message: { role: 'assistant', content: 'A', reasoning: 'secret' } }), { ...meta, omitThinking: true });
    expect(message.content[0]).toEqual({ type: 'thinking', thinking: '', signature: 'ollama-proxy-unsigned' });
  });

  it.each([
    ['stop', false, 'end_turn'],
    ['length', false, 'max_tokens'],
    ['length', true, 'max_tokens'],
    ['stop', true, 'tool_use'],
    ['content_filter', false, 'refusal'],
  ] as const)('maps finish reason %s (tool calls: %s) to %s', (finishReason, hasCalls, stopReason) => {
    const toolCalls = hasCalls ? [{ id: 'call_1', name: 't', argumentsJson: '{}' }] : undefined;
    const message = fromChatResult(result({ finishReason, message: { role: 'assistant', content: '', ...(toolCalls ? { toolCalls } : {}) } }), meta);
    expect(message.stop_reason).toBe(stopReason);
  });

  it('reports the stop sequence that ended the answer as stop_reason stop_sequence', () => {
    const message = asSdk(fromChatResult(result({ message: { role: 'assistant', content: 'Done' }, stopSequence: '###' }), meta));
    expect(message).toMatchObject({ content: [{ type: 'text', text: 'Done' }], stop_reason: 'stop_sequence', stop_sequence: '###' });
  });

  it('keeps tool_use (and no stop_sequence) when tool calls came before the stop sequence', () => {
    const toolCalls = [{ id: 'call_1', name: 't', argumentsJson: '{}' }];
    const message = fromChatResult(result({ message: { role: 'assistant', content: 'a', toolCalls }, stopSequence: '###' }), meta);
    expect(message).toMatchObject({ stop_reason: 'tool_use', stop_sequence: null });
  });

  it('sends an empty content list when the model said nothing', () => {
    expect(fromChatResult(result({ message: { role: 'assistant', content: '' } }), meta).content).toEqual([]);
  });
});

describe('toAnthropicUsage', () => {
  it('reports cached prompt tokens apart from input_tokens, only when known', () => {
    expect(toAnthropicUsage({ promptTokens: 100, completionTokens: 5 })).toEqual({ input_tokens: 100, output_tokens: 5 });
    expect(toAnthropicUsage({ promptTokens: 100, completionTokens: 5, cachedTokens: 80 })).toEqual({ input_tokens: 20, output_tokens: 5, cache_read_input_tokens: 80 });
  });
});

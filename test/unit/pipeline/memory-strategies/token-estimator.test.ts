import { describe, expect, it } from 'vitest';
import { createTokenEstimator } from '../../../../src/pipeline/memory-strategies/token-estimator.js';
import type { ChatMessage } from '../../../../src/core/chat-request.js';

const text = (chars: number): ChatMessage[] => [{ role: 'user', content: 'x'.repeat(chars) }];

describe('createTokenEstimator', () => {
  it('counts four characters per token plus the per-message template overhead for an unseen model', () => {
    expect(createTokenEstimator().count('m', text(400))).toBe(100 + 4);
  });

  it('counts a whole prompt: the messages, and the tools by their JSON at the same ratio', () => {
    const tools = [{ name: 'weather', parameters: { type: 'object' } }];
    const toolTokens = Math.ceil(JSON.stringify(tools).length / 4);
    expect(createTokenEstimator().countPrompt({ model: 'm', messages: text(400) })).toBe(104);
    expect(createTokenEstimator().countPrompt({ model: 'm', messages: text(400), tools })).toBe(104 + toolTokens);
  });

  it('learns from a whole prompt, tools included, but not from an answer cut at a stop sequence', () => {
    const tools = [{ name: 'x'.repeat(380) }];
    const request = { model: 'm', messages: text(400), tools };
    const answer = (promptTokens: number, stopSequence?: string) => ({ usage: { promptTokens, completionTokens: 1 }, ...(stopSequence === undefined ? {} : { stopSequence }) });
    const estimator = createTokenEstimator({ learningRate: 1 });
    const chars = 400 + JSON.stringify(tools).length;
    // A count that would teach 3 characters per token, had Ollama made it.
    estimator.observePrompt(request, answer(Math.round(chars / 3) + 4, '</done>'));
    expect(estimator.charsPerToken('m')).toBe(4);
    // The messages' and the tools' characters in half as many text tokens: 2 characters per token.
    estimator.observePrompt(request, answer(Math.round(chars / 2) + 4));
    expect(estimator.charsPerToken('m')).toBeCloseTo(2, 2);
  });

  it('counts tool calls and images', () => {
    const estimator = createTokenEstimator({ imageTokens: 500 });
    const message: ChatMessage = { role: 'assistant', content: '', images: ['aGk='], toolCalls: [{ id: 'c', name: 'abcd', argumentsJson: '{"a":1234}' }] };
    expect(estimator.count('m', [message])).toBe(Math.ceil(14 / 4) + 4 + 500);
  });

  it("moves a model's ratio toward what prompt_eval_count shows", () => {
    const estimator = createTokenEstimator({ learningRate: 0.5 });
    // 400 characters evaluated as 200 text tokens (+4 template): 2 characters per token.
    estimator.observe('cjk-model', text(400), 204);
    expect(estimator.charsPerToken('cjk-model')).toBe(3);
    for (let i = 0; i < 20; i++) estimator.observe('cjk-model', text(400), 204);
    expect(estimator.charsPerToken('cjk-model')).toBeCloseTo(2, 3);
    expect(estimator.count('cjk-model', text(400))).toBeGreaterThan(createTokenEstimator().count('cjk-model', text(400)));
  });

  it('keeps each model apart', () => {
    const estimator = createTokenEstimator();
    estimator.observe('a', text(400), 204);
    expect(estimator.charsPerToken('b')).toBe(4);
  });

  it('ignores reports that cannot be a full prompt (cache hits of old Ollama versions, truncation)', () => {
    const estimator = createTokenEstimator();
    estimator.observe('m', text(4000), 40);
    estimator.observe('m', text(400), 0);
    expect(estimator.charsPerToken('m')).toBe(4);
  });

  it('stays within sane bounds', () => {
    const estimator = createTokenEstimator({ learningRate: 1 });
    for (let i = 0; i < 10; i++) estimator.observe('m', text(1000), Math.ceil(1000 / (estimator.charsPerToken('m') * 2.5)) + 4);
    expect(estimator.charsPerToken('m')).toBe(8);
  });
});

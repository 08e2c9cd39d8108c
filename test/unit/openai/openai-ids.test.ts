import { describe, expect, it } from 'vitest';
import { newChatCompletionId, newCompletionId, SYSTEM_FINGERPRINT } from '../../../src/openai/openai-ids.js';

describe('openai ids', () => {
  it.each([
    ['chat completion', newChatCompletionId, /^chatcmpl-[A-Za-z0-9]{24}$/],
    ['text completion', newCompletionId, /^cmpl-[A-Za-z0-9]{24}$/],
  ])('makes %s ids with the OpenAI prefix', (_name, newId, pattern) => {
    expect(newId()).toMatch(pattern);
  });

  it('does not repeat across many ids, including past the pool refill', () => {
    const ids = new Set(Array.from({ length: 5000 }, newChatCompletionId));
    expect(ids.size).toBe(5000);
  });

  it('has a constant system fingerprint', () => {
    expect(SYSTEM_FINGERPRINT).toBe('fp_ollama_proxy');
  });
});

import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../../src/core/chat-request.js';
import { ANONYMOUS, type Principal } from '../../../src/core/principal.js';
import { cacheScope, fingerprintChat, fingerprintEmbedding, fingerprintText, isCacheable } from '../../../src/pipeline/request-fingerprint.js';

const request: ChatRequest = {
  model: 'deepseek-v3.1:671b',
  messages: [{ role: 'user', content: 'hi' }],
  sampling: { temperature: 0, maxTokens: 10 },
};
const key = (id: string): Principal => ({ id, kind: 'api-key', scopes: [] });

describe('fingerprintChat', () => {
  it('is a SHA-256 hex digest', () => {
    expect(fingerprintChat(request, 's')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on key order', () => {
    const reordered = { sampling: { maxTokens: 10, temperature: 0 }, messages: [{ content: 'hi', role: 'user' }], model: 'deepseek-v3.1:671b' } as ChatRequest;
    expect(fingerprintChat(reordered, 's')).toBe(fingerprintChat(request, 's'));
  });

  it.each<[string, Partial<ChatRequest>]>([
    ['model', { model: 'deepseek-r1:7b' }],
    ['messages', { messages: [{ role: 'user', content: 'hello' }] }],
    ['sampling', { sampling: { temperature: 0, maxTokens: 11 } }],
    ['tools', { tools: [{ name: 'f' }] }],
    ['tool choice', { toolChoice: 'required' }],
    ['response format', { responseFormat: { type: 'json' } }],
    ['reasoning', { reasoning: { enabled: true } }],
    ['runtime options', { runtime: { options: { num_ctx: 8192 } } }],
  ])('changes with the %s', (_name, change) => {
    expect(fingerprintChat({ ...request, ...change }, 's')).not.toBe(fingerprintChat(request, 's'));
  });

  it('changes with the cache scope', () => {
    expect(fingerprintChat(request, 'key:a')).not.toBe(fingerprintChat(request, 'key:b'));
  });

  it('differs between a chat and a text completion of the same text', () => {
    expect(fingerprintText({ model: request.model, prompt: 'hi', sampling: {} }, 's')).not.toBe(fingerprintChat({ ...request, sampling: {} }, 's'));
  });
});

describe('fingerprintEmbedding', () => {
  const embedding = { model: 'nomic-embed-text', inputs: ['a', 'b'] };
  it('is per input text, whatever else the batch holds', () => {
    expect(fingerprintEmbedding(embedding, 'a', 's')).toBe(fingerprintEmbedding({ ...embedding, inputs: ['a'] }, 'a', 's'));
    expect(fingerprintEmbedding(embedding, 'a', 's')).not.toBe(fingerprintEmbedding(embedding, 'b', 's'));
  });

  it('changes with the model and dimensions', () => {
    expect(fingerprintEmbedding({ ...embedding, dimensions: 64 }, 'a', 's')).not.toBe(fingerprintEmbedding(embedding, 'a', 's'));
    expect(fingerprintEmbedding({ ...embedding, model: 'other' }, 'a', 's')).not.toBe(fingerprintEmbedding(embedding, 'a', 's'));
  });
});

describe('cacheScope', () => {
  it('separates keys, and puts an API key and its JWTs in one scope', () => {
    expect(cacheScope(key('a'), false)).not.toBe(cacheScope(key('b'), false));
    expect(cacheScope({ id: 'a', kind: 'jwt', scopes: [] }, false)).toBe(cacheScope(key('a'), false));
    expect(cacheScope(ANONYMOUS, false)).toBe('anonymous');
  });

  it('is one scope for everybody when sharing is configured', () => {
    expect(cacheScope(key('a'), true)).toBe(cacheScope(key('b'), true));
  });
});

describe('isCacheable', () => {
  it('under "deterministic" takes temperature 0 or a seed only', () => {
    expect(isCacheable({ temperature: 0 }, 'deterministic')).toBe(true);
    expect(isCacheable({ seed: 7, temperature: 0.8 }, 'deterministic')).toBe(true);
    expect(isCacheable({ temperature: 0.2 }, 'deterministic')).toBe(false);
    expect(isCacheable({}, 'deterministic')).toBe(false);
  });

  it('under "always" takes everything and under "off" nothing', () => {
    expect(isCacheable({ temperature: 1 }, 'always')).toBe(true);
    expect(isCacheable({ temperature: 0 }, 'off')).toBe(false);
  });
});

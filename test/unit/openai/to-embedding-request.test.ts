import { describe, expect, it } from 'vitest';
import { toEmbeddingCall } from '../../../src/openai/to-embedding-request.js';
import { loadFixturePairs } from './openai-fixtures.js';
import { rejection } from './reject.js';

const toEmbeddingRequest = (body: unknown) => {
  const { request, encodingFormat } = toEmbeddingCall(body);
  return { request, encodingFormat };
};

const base = { model: 'nomic-embed-text', input: 'hello' };

describe('toEmbeddingRequest', () => {
  it.each(loadFixturePairs('embedding-'))('translates fixture $scenario', ({ request, expected }) => {
    expect(toEmbeddingRequest(request)).toEqual(expected);
  });

  it('passes Ollama runtime extras through', () => {
    const { request } = toEmbeddingRequest({ ...base, num_ctx: 8192, keep_alive: '5m' });
    expect(request.runtime).toEqual({ options: { num_ctx: 8192 }, keepAlive: '5m' });
  });

  it.each<[string, unknown, string | null, RegExp]>([
    ['an empty string', { ...base, input: '' }, 'input', /empty string/],
    ['an empty array', { ...base, input: [] }, 'input', /empty array/],
    ['an empty string inside the array', { ...base, input: ['a', ''] }, 'input[1]', /empty string/],
    ['token ids', { ...base, input: [1, 2, 3] }, 'input', /token-id inputs are not supported/],
    ['arrays of token ids', { ...base, input: [[1, 2]] }, 'input', /token-id inputs are not supported/],
    ['a non-string item', { ...base, input: ['a', { text: 'b' }] }, 'input[1]', /expected a string/],
    ['a missing input', { model: 'm' }, 'input', /Missing required/],
    ['an unknown encoding_format', { ...base, encoding_format: 'int8' }, 'encoding_format', /float|base64/],
    ['zero dimensions', { ...base, dimensions: 0 }, 'dimensions', /integer >= 1/],
    ['a missing model', { input: 'x' }, 'model', /Missing required/],
  ])('rejects %s', (_name, body, param, message) => {
    const error = rejection(toEmbeddingRequest, body);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });
});

import { describe, expect, it } from 'vitest';
import { toTextCall } from '../../../src/openai/to-text-request.js';
import { loadFixturePairs } from './openai-fixtures.js';
import { rejection } from './reject.js';

const toTextRequest = (body: unknown) => toTextCall(body).request;

const base = { model: 'deepseek-coder', prompt: 'def f(' };

describe('toTextRequest', () => {
  it.each(loadFixturePairs('completion-'))('translates fixture $scenario', ({ request, expected }) => {
    expect(toTextRequest(request)).toEqual(expected);
  });

  it('does not apply OpenAI legacy max_tokens default of 16', () => {
    expect(toTextRequest(base).sampling).toEqual({});
  });

  it('accepts an empty prompt (completion at the start of a file)', () => {
    expect(toTextRequest({ ...base, prompt: '', suffix: 'rest' })).toMatchObject({ prompt: '', suffix: 'rest' });
  });

  it.each<[string, unknown, string | null, RegExp]>([
    ['a missing prompt', { model: 'm' }, 'prompt', /Missing required/],
    ['several prompts', { ...base, prompt: ['a', 'b'] }, 'prompt', /exactly one prompt/],
    ['an empty prompt array', { ...base, prompt: [] }, 'prompt', /exactly one prompt/],
    ['token-id prompts', { ...base, prompt: [[1, 2, 3]] }, 'prompt', /token-id prompts are not supported/],
    ['a numeric prompt', { ...base, prompt: 42 }, 'prompt', /string or an array/],
    ['n > 1', { ...base, n: 3 }, 'n', /n > 1 is not supported/],
    ['best_of > 1', { ...base, best_of: 2 }, 'best_of', /best_of > 1 is not supported/],
    ['logprobs > 5', { ...base, logprobs: 6 }, 'logprobs', /between 0 and 5/],
    ['top_p above 1', { ...base, top_p: 2 }, 'top_p', /between 0 and 1/],
    ['a non-boolean echo', { ...base, echo: 'yes' }, 'echo', /expected boolean/],
  ])('rejects %s', (_name, body, param, message) => {
    const error = rejection(toTextRequest, body);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });
});

import { describe, expect, it } from 'vitest';
import { assertModelAllowed, isModelAllowed, parseModelPatterns } from '../../../src/access/model-access.js';
import { PermissionDeniedError, InvalidRequestError } from '../../../src/core/errors.js';

describe('isModelAllowed', () => {
  it.each([
    ['deepseek-r1:8b', ['deepseek-r1:*'], true],
    ['deepseek-r1:8b', ['deepseek-*'], true],
    ['deepseek-v3.1:671b', ['deepseek-*'], true],
    ['qwen3:8b', ['deepseek-*'], false],
    ['deepseek-r1:8b', ['deepseek-r1:8b'], true],
    ['deepseek-r1:14b', ['deepseek-r1:8b'], false],
    ['deepseek-r1', ['deepseek-r1:*'], true],
    ['deepseek-r1', ['deepseek-r1:latest'], true],
    ['deepseek-r1:latest', ['deepseek-r1'], true],
    ['deepseek-r1:8b', ['deepseek-r1'], false],
    ['deepseek-r1x:8b', ['deepseek-r1:*'], false],
    ['deepseek-r1:8b', ['deepseek-r1:?b'], true],
    ['deepseek.r1', ['deepseek-r1'], false],
    ['hf.co/org/model:Q4_K_M', ['hf.co/org/*'], true],
    ['anything', ['*'], true],
    ['qwen3:8b', ['deepseek-*', 'qwen3:*'], true],
  ])('%s against %j → %s', (model, patterns, allowed) => {
    expect(isModelAllowed(model, patterns)).toBe(allowed);
  });

  it('allows every model when there is no list, and none with an empty list', () => {
    expect(isModelAllowed('x', undefined)).toBe(true);
    expect(isModelAllowed('x', null)).toBe(true);
    expect(isModelAllowed('x', [])).toBe(false);
  });
});

describe('assertModelAllowed', () => {
  it('throws a 403 naming the model and the allowed patterns', () => {
    const error = (() => {
      try {
        assertModelAllowed('qwen3:8b', ['deepseek-*']);
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({ status: 403, param: 'model' });
    expect((error as Error).message).toContain("'qwen3:8b'");
    expect((error as Error).message).toContain('deepseek-*');
  });
});

describe('parseModelPatterns', () => {
  it('splits, trims and de-duplicates a comma list', () => {
    expect(parseModelPatterns(' deepseek-* , qwen3:8b,deepseek-*')).toEqual(['deepseek-*', 'qwen3:8b']);
  });

  it('rejects empty entries', () => {
    expect(() => parseModelPatterns('a,,b')).toThrow(InvalidRequestError);
  });
});

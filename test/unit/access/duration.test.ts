import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/access/duration.js';
import { InvalidRequestError } from '../../../src/core/errors.js';

describe('parseDuration', () => {
  it.each([
    ['72h', 72 * 3_600_000],
    ['30d', 30 * 86_400_000],
    ['15m', 900_000],
    ['3600s', 3_600_000],
    ['2w', 14 * 86_400_000],
    ['500ms', 500],
    [' 1H ', 3_600_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '72', 'h', '1.5h', '-1h', '0s', '3 days', '1y'])('rejects %j with a 400', (text) => {
    expect(() => parseDuration(text, 'expires_in')).toThrow(InvalidRequestError);
  });

  it('names the parameter in the error', () => {
    expect(() => parseDuration('soon', 'expires_in')).toThrow(expect.objectContaining({ param: 'expires_in' }));
  });
});

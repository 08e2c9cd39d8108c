import { describe, expect, it } from 'vitest';
import { formatResetDuration, retryAfterSeconds } from '../../../../src/http/rate-limit/ratelimit-headers.js';

describe('formatResetDuration', () => {
  it.each([
    [0, '0s'],
    [12, '12ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [1_234, '1.234s'],
    [59_990, '59.99s'],
    [60_000, '1m0s'],
    [360_000, '6m0s'],
    [61_500, '1m1.5s'],
    [3_600_000, '1h0m0s'],
    [86_399_000, '23h59m59s'],
    [-5, '0s'],
  ])('writes %d ms as %s (Go duration text, as OpenAI does)', (ms, text) => {
    expect(formatResetDuration(ms)).toBe(text);
  });
});

describe('retryAfterSeconds', () => {
  it('rounds up to whole seconds, at least 1', () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(60_000)).toBe(60);
  });
});

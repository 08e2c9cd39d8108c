import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean, editDistance } from '../../../src/shared/did-you-mean.js';

describe('didYouMean', () => {
  it.each([
    ['scope', ['scopes', 'name', 'models'], 'scopes'],
    ['kyes', ['serve', 'doctor', 'keys', 'token', 'models'], 'keys'],
    ['exipres', ['expires', 'tier'], 'expires'],
    ['modles', ['models', 'metadata'], 'models'],
  ])('suggests %s → %s', (word, candidates, expected) => {
    expect(closestMatch(word, candidates)).toBe(expected);
  });

  it('suggests nothing for a word that is not close to any', () => {
    expect(closestMatch('frobnicate', ['keys', 'token', 'models'])).toBeUndefined();
    expect(didYouMean('launch', ['keys', 'token'])).toBe('');
  });

  it('renders the suggestion', () => {
    expect(didYouMean('scope', ['scopes'], (match) => `--${match}`)).toBe(' Did you mean --scopes?');
  });

  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('kyes', 'keys')).toBe(1);
  });
});

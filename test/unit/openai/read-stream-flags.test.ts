import { describe, expect, it } from 'vitest';
import { readStreamFlags } from '../../../src/openai/read-stream-flags.js';
import { rejection } from './reject.js';

describe('readStreamFlags', () => {
  it.each([
    [{}, { stream: false, includeUsage: false }],
    [{ stream: null, stream_options: null }, { stream: false, includeUsage: false }],
    [{ stream: true }, { stream: true, includeUsage: false }],
    [{ stream: true, stream_options: { include_usage: true } }, { stream: true, includeUsage: true }],
    [{ stream: false, stream_options: { include_usage: true } }, { stream: false, includeUsage: false }],
  ])('reads %j as %j', (body, flags) => {
    expect(readStreamFlags(body)).toEqual(flags);
  });

  it('rejects a non-boolean stream with param stream', () => {
    expect(rejection(readStreamFlags, { stream: 'yes' }).param).toBe('stream');
  });

  it('rejects a non-boolean include_usage with its param path', () => {
    expect(rejection(readStreamFlags, { stream: true, stream_options: { include_usage: 1 } }).param).toBe('stream_options.include_usage');
  });
});

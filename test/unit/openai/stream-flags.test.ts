import { describe, expect, it } from 'vitest';
import { toChatCall } from '../../../src/openai/to-chat-request.js';
import { toTextCall } from '../../../src/openai/to-text-request.js';
import { rejection } from './reject.js';

// The stream flags come from the same single parse as the request (toChatCall / toTextCall).
const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const flagsOf = (body: object) => {
  const { stream, includeUsage } = toChatCall({ ...chat, ...body });
  return { stream, includeUsage };
};

describe('stream flags of a parsed call', () => {
  it.each([
    [{}, { stream: false, includeUsage: false }],
    [{ stream: null, stream_options: null }, { stream: false, includeUsage: false }],
    [{ stream: true }, { stream: true, includeUsage: false }],
    [{ stream: true, stream_options: { include_usage: true } }, { stream: true, includeUsage: true }],
    [{ stream: false, stream_options: { include_usage: true } }, { stream: false, includeUsage: false }],
  ])('reads %j as %j', (body, flags) => {
    expect(flagsOf(body)).toEqual(flags);
  });

  it('reads the same flags for text completions', () => {
    const { stream, includeUsage } = toTextCall({ model: 'm', prompt: 'p', stream: true, stream_options: { include_usage: true } });
    expect({ stream, includeUsage }).toEqual({ stream: true, includeUsage: true });
  });

  it('rejects a non-boolean stream with param stream', () => {
    expect(rejection(toChatCall, { ...chat, stream: 'yes' }).param).toBe('stream');
  });

  it('rejects a non-boolean include_usage with its param path', () => {
    expect(rejection(toChatCall, { ...chat, stream: true, stream_options: { include_usage: 1 } }).param).toBe('stream_options.include_usage');
  });
});

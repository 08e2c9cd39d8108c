import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../src/core/chat-event.js';
import { UpstreamError } from '../../../src/core/errors.js';
import type { OpenAIChatCompletionChunk } from '../../../src/openai/openai-wire.js';
import { createChatChunkEncoder } from '../../../src/openai/to-openai-chunks.js';
import { encodeAll, sseData, sseFrames } from '../../helpers/encode-stream.js';
import { validateOpenAI } from '../../helpers/openai-schema.js';
import { finish, reasoning, start, text, usage } from './chat-events.js';

const meta = { id: 'chatcmpl-test', created: 1767225600, model: 'deepseek-r1', systemFingerprint: 'fp_test', includeUsage: false };

function chunksFor(events: ChatEvent[], includeUsage = false): OpenAIChatCompletionChunk[] {
  const chunks = sseData<OpenAIChatCompletionChunk>(encodeAll(createChatChunkEncoder({ ...meta, includeUsage }), events));
  for (const chunk of chunks) expect(validateOpenAI('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
  return chunks;
}

const deltas = (chunks: OpenAIChatCompletionChunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta);
const finishReasons = (chunks: OpenAIChatCompletionChunk[]) => chunks.map((chunk) => chunk.choices[0]?.finish_reason);

describe('createChatChunkEncoder', () => {
  it('streams a text answer: role chunk, content deltas, one finish chunk', () => {
    const chunks = chunksFor([start, text('Bon'), text('jour'), finish()]);
    expect(deltas(chunks)).toEqual([{ role: 'assistant', content: '' }, { content: 'Bon' }, { content: 'jour' }, {}]);
    expect(finishReasons(chunks)).toEqual([null, null, null, 'stop']);
  });

  it('gives every chunk the same id, created, model and fingerprint, and the chunk object type', () => {
    const chunks = chunksFor([start, text('a'), finish()]);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1767225600, model: 'deepseek-r1', system_fingerprint: 'fp_test' });
      expect(chunk.choices[0]).toMatchObject({ index: 0, logprobs: null });
    }
  });

  it('puts reasoning in delta.reasoning_content and never in content', () => {
    const chunks = chunksFor([start, reasoning('Let me think.'), reasoning(' Done.'), text('42'), finish()]);
    expect(deltas(chunks)).toEqual([
      { role: 'assistant', content: '' },
      { reasoning_content: 'Let me think.' },
      { reasoning_content: ' Done.' },
      { content: '42' },
      {},
    ]);
  });

  it('sends each tool call whole in one delta with indices 0 and 1 and finishes with tool_calls', async () => {
    const calls: ChatEvent[] = [
      { type: 'tool-call', index: 0, call: { id: 'call_a', name: 'get_weather', argumentsJson: '{"city":"Paris"}' } },
      { type: 'tool-call', index: 0, call: { id: 'call_b', name: 'get_time', argumentsJson: '{}' } },
    ];
    const chunks = await chunksFor([start, ...calls, finish('stop')]);
    expect(deltas(chunks).slice(1, 3)).toEqual([
      { tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }] },
    ]);
    expect(finishReasons(chunks).at(-1)).toBe('tool_calls');
  });

  it('reports a token-capped answer as length', () => {
    const chunks = chunksFor([start, text('cut'), finish('length')]);
    expect(finishReasons(chunks)).toEqual([null, null, 'length']);
  });

  it('with include_usage, marks every chunk usage: null and ends with a choices: [] usage chunk', () => {
    const chunks = chunksFor([start, text('a'), finish('stop', { ...usage, reasoningTokens: 5 })], true);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 12, completion_tokens: 30, total_tokens: 42, completion_tokens_details: { reasoning_tokens: 5 } });
    expect(chunks.slice(0, -1).map((chunk) => chunk.usage)).toEqual([null, null, null]);
    expect(finishReasons(chunks.slice(0, -1))).toEqual([null, null, 'stop']);
  });

  it('without include_usage, no chunk carries a usage key', () => {
    const chunks = chunksFor([start, text('a'), finish()]);
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
  });

  it('skips empty text deltas', () => {
    const chunks = chunksFor([start, text(''), text('x'), finish()]);
    expect(deltas(chunks)).toEqual([{ role: 'assistant', content: '' }, { content: 'x' }, {}]);
  });

  it('still sends the role chunk first when the stream has no start event', () => {
    const chunks = chunksFor([text('a'), finish()]);
    expect(deltas(chunks)[0]).toEqual({ role: 'assistant', content: '' });
  });

  it('ends with data: [DONE] and reads nothing after the finish event', () => {
    const encoder = createChatChunkEncoder(meta);
    encoder.encode(start);
    encoder.encode(text('a'));
    expect(encoder.isComplete).toBe(false);
    encoder.encode(finish());
    expect(encoder.isComplete).toBe(true);
    expect(encoder.end()).toBe('data: [DONE]\n\n');
  });

  it('throws an upstream error when the stream ends without finishing', () => {
    expect(() => encodeAll(createChatChunkEncoder(meta), [start, text('a')])).toThrow(UpstreamError);
  });

  it("ends a failed stream with OpenAI's error frame and no [DONE]", () => {
    const frame = createChatChunkEncoder(meta).errorFrame(new UpstreamError('Ollama went away'));
    expect(frame).toMatch(/^data: \{"error":\{"message":"Ollama went away","type":"[a-z_]+","param":null,"code":"[a-z_]+"\}\}\n\n$/);
  });

  it('keeps the connection alive with : ping comments', () => {
    expect(createChatChunkEncoder(meta).heartbeat).toBe(': ping\n\n');
  });
});

// The frames of text and reasoning deltas are written from a template: they must be what JSON.stringify writes.
describe('createChatChunkEncoder frames', () => {
  const tricky = ['plain', 'quote " and \\ backslash', 'line\nbreak\ttab', 'emoji 🙂 and é', 'lone \ud800 surrogate', '\u0000\u001f', '</script>', '\u2028'];
  const trickyMeta = { ...meta, id: 'chatcmpl-"quoted"', model: 'deepseek-r1:14b' };
  const events: ChatEvent[] = [
    start,
    ...tricky.map(reasoning),
    ...tricky.map(text),
    { type: 'tool-call', index: 0, call: { id: 'call_1', name: 'f', argumentsJson: '{"a":"\\n"}' } },
    finish('stop'),
  ];

  it.each([false, true])('writes every chunk exactly as JSON.stringify does (include_usage %s)', (includeUsage) => {
    const frames = sseFrames(encodeAll(createChatChunkEncoder({ ...trickyMeta, includeUsage }), events));
    expect(frames.at(-1)).toEqual({ data: '[DONE]' });
    for (const { data } of frames.slice(0, -1)) expect(data).toBe(JSON.stringify(JSON.parse(data)));
    const content = { content: tricky[1] };
    const expected = {
      id: trickyMeta.id,
      object: 'chat.completion.chunk',
      created: meta.created,
      model: trickyMeta.model,
      system_fingerprint: meta.systemFingerprint,
      choices: [{ index: 0, delta: content, logprobs: null, finish_reason: null }],
      ...(includeUsage ? { usage: null } : {}),
    };
    expect(frames[1 + tricky.length + 1]!.data).toBe(JSON.stringify(expected));
  });
});

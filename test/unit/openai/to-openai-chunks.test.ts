import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../src/core/chat-event.js';
import { UpstreamError } from '../../../src/core/errors.js';
import type { OpenAIChatCompletionChunk } from '../../../src/openai/openai-wire.js';
import { toOpenAIChunks } from '../../../src/openai/to-openai-chunks.js';
import { validateOpenAI } from '../../helpers/openai-schema.js';
import { collect, eventStream, finish, reasoning, start, text, usage } from './chat-events.js';

const meta = { id: 'chatcmpl-test', created: 1767225600, model: 'deepseek-r1', systemFingerprint: 'fp_test', includeUsage: false };

async function chunksFor(events: ChatEvent[], includeUsage = false): Promise<OpenAIChatCompletionChunk[]> {
  const chunks = await collect(toOpenAIChunks(eventStream(events), { ...meta, includeUsage }));
  for (const chunk of chunks) expect(validateOpenAI('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
  return chunks;
}

const deltas = (chunks: OpenAIChatCompletionChunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta);
const finishReasons = (chunks: OpenAIChatCompletionChunk[]) => chunks.map((chunk) => chunk.choices[0]?.finish_reason);

describe('toOpenAIChunks', () => {
  it('streams a text answer: role chunk, content deltas, one finish chunk', async () => {
    const chunks = await chunksFor([start, text('Bon'), text('jour'), finish()]);
    expect(deltas(chunks)).toEqual([{ role: 'assistant', content: '' }, { content: 'Bon' }, { content: 'jour' }, {}]);
    expect(finishReasons(chunks)).toEqual([null, null, null, 'stop']);
  });

  it('gives every chunk the same id, created, model and fingerprint, and the chunk object type', async () => {
    const chunks = await chunksFor([start, text('a'), finish()]);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1767225600, model: 'deepseek-r1', system_fingerprint: 'fp_test' });
      expect(chunk.choices[0]).toMatchObject({ index: 0, logprobs: null });
    }
  });

  it('puts reasoning in delta.reasoning_content and never in content', async () => {
    const chunks = await chunksFor([start, reasoning('Let me think.'), reasoning(' Done.'), text('42'), finish()]);
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

  it('reports a token-capped answer as length', async () => {
    const chunks = await chunksFor([start, text('cut'), finish('length')]);
    expect(finishReasons(chunks)).toEqual([null, null, 'length']);
  });

  it('with include_usage, marks every chunk usage: null and ends with a choices: [] usage chunk', async () => {
    const chunks = await chunksFor([start, text('a'), finish('stop', { ...usage, reasoningTokens: 5 })], true);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 12, completion_tokens: 30, total_tokens: 42, completion_tokens_details: { reasoning_tokens: 5 } });
    expect(chunks.slice(0, -1).map((chunk) => chunk.usage)).toEqual([null, null, null]);
    expect(finishReasons(chunks.slice(0, -1))).toEqual([null, null, 'stop']);
  });

  it('without include_usage, no chunk carries a usage key', async () => {
    const chunks = await chunksFor([start, text('a'), finish()]);
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
  });

  it('skips empty text deltas', async () => {
    const chunks = await chunksFor([start, text(''), text('x'), finish()]);
    expect(deltas(chunks)).toEqual([{ role: 'assistant', content: '' }, { content: 'x' }, {}]);
  });

  it('creates fresh chunk objects so consumers may keep them', async () => {
    const chunks = await chunksFor([start, text('a'), text('b'), finish()]);
    expect(new Set(chunks).size).toBe(chunks.length);
    expect(new Set(chunks.map((chunk) => chunk.choices)).size).toBe(chunks.length);
    expect(new Set(deltas(chunks)).size).toBe(chunks.length);
  });

  it('still sends the role chunk first when the stream has no start event', async () => {
    const chunks = await chunksFor([text('a'), finish()]);
    expect(deltas(chunks)[0]).toEqual({ role: 'assistant', content: '' });
  });

  it('throws an upstream error when the stream ends without finishing', async () => {
    await expect(collect(toOpenAIChunks(eventStream([start, text('a')]), meta))).rejects.toBeInstanceOf(UpstreamError);
  });

  it('passes an upstream failure through unchanged', async () => {
    async function* failing(): AsyncGenerator<ChatEvent> {
      yield start;
      throw new Error('socket reset');
    }
    await expect(collect(toOpenAIChunks(failing(), meta))).rejects.toThrow('socket reset');
  });
});

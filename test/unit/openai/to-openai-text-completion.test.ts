import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../src/core/chat-event.js';
import type { ChatResult } from '../../../src/core/chat-result.js';
import type { OpenAITextCompletion } from '../../../src/openai/openai-wire.js';
import { createTextChunkEncoder, toOpenAITextCompletion } from '../../../src/openai/to-openai-text-completion.js';
import { encodeAll, sseData } from '../../helpers/encode-stream.js';
import { validateOpenAI } from '../../helpers/openai-schema.js';
import { finish, reasoning, start, startedAt, text, usage } from './chat-events.js';

const meta = { id: 'cmpl-test', created: 1767225600, model: 'deepseek-coder', systemFingerprint: 'fp_test' };
const result: ChatResult = { model: 'deepseek-coder', createdAt: startedAt, message: { role: 'assistant', content: 'a + b' }, finishReason: 'stop', usage };

function chunksFor(events: ChatEvent[], extra: { includeUsage?: boolean; echoPrompt?: string } = {}): OpenAITextCompletion[] {
  const chunks = sseData<OpenAITextCompletion>(encodeAll(createTextChunkEncoder({ ...meta, includeUsage: false, ...extra }), events));
  for (const chunk of chunks) expect(validateOpenAI('CreateCompletionStreamChunk', chunk)).toEqual([]);
  return chunks;
}
const texts = (chunks: OpenAITextCompletion[]) => chunks.map((chunk) => chunk.choices[0]?.text);

describe('toOpenAITextCompletion', () => {
  it('builds a text_completion object', () => {
    const completion = toOpenAITextCompletion(result, meta);
    expect(validateOpenAI('CreateCompletionResponse', completion)).toEqual([]);
    expect(completion).toEqual({
      id: 'cmpl-test',
      object: 'text_completion',
      created: 1767225600,
      model: 'deepseek-coder',
      system_fingerprint: 'fp_test',
      choices: [{ text: 'a + b', index: 0, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 },
    });
  });

  it('prepends the prompt when echo was requested', () => {
    expect(toOpenAITextCompletion(result, { ...meta, echoPrompt: 'return ' }).choices[0]!.text).toBe('return a + b');
  });
});

describe('createTextChunkEncoder', () => {
  it('streams text fragments, dropping reasoning, then one finish chunk', () => {
    const chunks = chunksFor([start, reasoning('hmm'), text('a +'), text(' b'), finish('length')]);
    expect(texts(chunks)).toEqual(['a +', ' b', '']);
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason)).toEqual([null, null, 'length']);
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set(['cmpl-test']));
  });

  it('streams the echoed prompt first', () => {
    expect(texts(chunksFor([start, text('b'), finish()], { echoPrompt: 'a' }))).toEqual(['a', 'b', '']);
  });

  it('with include_usage, ends with a choices: [] usage chunk and marks the others usage: null', () => {
    const chunks = chunksFor([start, text('x'), finish()], { includeUsage: true });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 } });
    expect(chunks.slice(0, -1).map((chunk) => chunk.usage)).toEqual([null, null]);
  });

  it('throws when the stream ends without finishing', () => {
    expect(() => chunksFor([start, text('x')])).toThrow(/ended before/);
  });

  it('ends a complete stream with data: [DONE]', () => {
    expect(encodeAll(createTextChunkEncoder({ ...meta, includeUsage: false }), [start, text('x'), finish()])).toMatch(/\n\ndata: \[DONE\]\n\n$/);
  });
});

describe('legacy logprobs', () => {
  const lp = (token: string, logprob: number) => ({ token, logprob, top: [{ token, logprob }, { token: `${token}?`, logprob: logprob - 1 }] });

  it('streams each chunk with its tokens, text_offset counting from the start of the echoed text', () => {
    const events: ChatEvent[] = [start, { type: 'text-delta', text: 'a +', logprobs: [lp('a', -0.1), lp(' +', -0.2)] }, { type: 'text-delta', text: ' b', logprobs: [lp(' b', -0.3)] }, finish('stop')];
    const chunks = chunksFor(events, { echoPrompt: 'x=' });
    const withLogprobs = chunks.filter((chunk) => chunk.choices[0]?.logprobs);
    expect(withLogprobs.map((chunk) => chunk.choices[0]!.logprobs!.text_offset)).toEqual([[2, 3], [5]]);
    expect(withLogprobs[0]!.choices[0]!.logprobs).toEqual({
      tokens: ['a', ' +'],
      token_logprobs: [-0.1, -0.2],
      top_logprobs: [{ a: -0.1, 'a?': -1.1 }, { ' +': -0.2, ' +?': -1.2 }],
      text_offset: [2, 3],
    });
  });

  it('gathers them on the whole completion', () => {
    const completion = toOpenAITextCompletion({ ...result, logprobs: [lp('a', -0.1), lp(' + b', -0.2)] }, meta);
    expect(validateOpenAI('CreateCompletionResponse', completion)).toEqual([]);
    expect(completion.choices[0]!.logprobs).toMatchObject({ tokens: ['a', ' + b'], text_offset: [0, 1] });
  });
});

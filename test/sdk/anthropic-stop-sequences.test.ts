import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatLines, replyNdjson, startFakeOllama, type FakeOllama, type Reply } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// stop_sequences through real HTTP: the official Anthropic SDK against the proxy and the fake Ollama. The proxy
// matches the sequences itself (Ollama would strip one and report a natural end), so it can say which one
// ended the answer, and it cancels the generation there.

const KEY = 'sk-test-master-key-stop-sequences';
const MODEL = 'deepseek-v3.1:671b';
let fake: FakeOllama;
let app: TestApp;
let client: Anthropic;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, CACHE_POLICY: 'off' } });
  client = new Anthropic({ baseURL: app.url, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const chatRequests = () => fake.requests.filter((request) => request.path === '/api/chat');
const lastChat = () => chatRequests().at(-1)!.body as { stream: boolean; options?: Record<string, unknown> };
const NO_THINKING = { thinking: { type: 'disabled' } } as const;
const ask = (text: string) => ({ model: MODEL, max_tokens: 500, ...NO_THINKING, messages: [{ role: 'user' as const, content: text }] });

/** A long answer, one token per line and paced, that says `stop` early: finished only if nobody cancels it. */
function longAnswer(before: string[], stop: string[]): Reply {
  const tokens = [...before, ...stop, ...Array.from({ length: 200 }, (_, i) => ` t${i}`)];
  return { kind: 'ndjson', lines: chatLines({ model: MODEL, content: tokens }), delayMs: 20 };
}

describe('@anthropic-ai/sdk: stop_sequences', () => {
  it('messages.create reports stop_reason stop_sequence with the sequence, the text ending before it', async () => {
    fake.script('/api/chat', replyNdjson(chatLines({ model: MODEL, content: ['The answer', ' is 42', '.\n', '###', ' Next', ' question'] })));
    const message = await client.messages.create({ ...ask('q'), stop_sequences: ['END', '###'] });
    expect(message).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: '###' });
    expect(message.content).toEqual([{ type: 'text', text: 'The answer is 42.\n' }]);
    // Four tokens were generated up to the match; the prompt is the count_tokens estimate (Ollama's count never came).
    const counted = await client.messages.countTokens({ model: MODEL, messages: ask('q').messages });
    expect(message.usage).toMatchObject({ input_tokens: counted.input_tokens, output_tokens: 4 });
    // Matched here, not upstream: Ollama gets no stop list, and a stream to cut.
    expect(lastChat().stream).toBe(true);
    expect(lastChat().options).not.toHaveProperty('stop');
  });

  it('messages.stream sends no text after a sequence split across tokens; the final message names it', async () => {
    fake.script('/api/chat', replyNdjson(chatLines({ model: MODEL, content: ['Done', ' </', 'ans', 'wer>', ' trailing', ' text'] })));
    const stream = client.messages.stream({ ...ask('q'), stop_sequences: ['</answer>'] });
    const deltas: string[] = [];
    const stops: Array<{ stop_reason: string | null; stop_sequence: string | null }> = [];
    stream.on('text', (delta) => deltas.push(delta));
    stream.on('streamEvent', (event) => {
      if (event.type === 'message_delta') stops.push(event.delta);
    });
    const message = await stream.finalMessage();
    expect(deltas.join('')).toBe('Done ');
    expect(deltas.some((delta) => delta.includes('<') || delta.includes('trailing'))).toBe(false);
    expect(stops).toEqual([{ stop_reason: 'stop_sequence', stop_sequence: '</answer>' }]);
    expect(message).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: '</answer>', content: [{ type: 'text', text: 'Done ' }] });
  });

  it('cancels the upstream generation once a streamed answer matched', async () => {
    fake.script('/api/chat', longAnswer(['Short', ' answer'], ['\n\n', 'Human:']));
    const message = await client.messages.stream({ ...ask('q'), stop_sequences: ['\n\nHuman:'] }).finalMessage();
    expect(message).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: '\n\nHuman:', content: [{ type: 'text', text: 'Short answer' }] });
    await expect.poll(() => fake.closedRequests, { timeout: 2000 }).toBe(1);
  });

  it('cancels the upstream generation once a non-streamed answer matched', async () => {
    fake.script('/api/chat', longAnswer(['x'], ['STOP']));
    const message = await client.messages.create({ ...ask('q'), stop_sequences: ['STOP'] });
    expect(message).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'STOP', content: [{ type: 'text', text: 'x' }] });
    await expect.poll(() => fake.closedRequests, { timeout: 2000 }).toBe(1);
  });

  it('answers end_turn with the whole text and Ollama’s counts when no sequence appears', async () => {
    const message = await client.messages.create({ ...ask('hello there'), stop_sequences: ['ZZZ', 'Echo:x'] });
    expect(message).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null, content: [{ type: 'text', text: 'Echo: hello there' }] });
    fake.script('/api/chat', replyNdjson(chatLines({ model: MODEL, content: ['Almost', ' ZZ', 'Z'], promptEvalCount: 77 })));
    const streamed = await client.messages.stream({ ...ask('hello there'), stop_sequences: ['ZZZZ'] }).finalMessage();
    expect(streamed).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null, content: [{ type: 'text', text: 'Almost ZZZ' }] });
    expect(streamed.usage).toMatchObject({ input_tokens: 77, output_tokens: 3 });
    expect(fake.closedRequests).toBe(0);
    expect(chatRequests().map((request) => (request.body as { options?: object }).options)).toEqual([{ num_predict: 500 }, { num_predict: 500 }]);
  });

  it('does not calibrate count_tokens from the estimate a cut answer reports', async () => {
    const large = { model: MODEL, messages: [{ role: 'user' as const, content: 'y'.repeat(4000) }] };
    const before = await client.messages.countTokens(large);
    // 61 characters: the estimate rounds up to 16 text tokens, which read as Ollama's count would lower the ratio.
    for (let i = 0; i < 3; i++) {
      fake.script('/api/chat', replyNdjson(chatLines({ model: MODEL, content: ['a', 'STOP'] })));
      const message = await client.messages.create({ ...ask('x'.repeat(61)), stop_sequences: ['STOP'] });
      expect(message.stop_reason).toBe('stop_sequence');
    }
    expect((await client.messages.countTokens(large)).input_tokens).toBe(before.input_tokens);
  });

  it('leaves OpenAI’s stop to Ollama, as before', async () => {
    const openai = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: KEY, maxRetries: 0 });
    await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stop: ['END', '###'] });
    expect(lastChat().options).toMatchObject({ stop: ['END', '###'] });
    await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stop: ['END'], stream: true });
    expect(lastChat()).toMatchObject({ stream: true, options: { stop: ['END'] } });
  });
});

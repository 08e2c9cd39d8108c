import { describe, expect, it } from 'vitest';
import type { CallContext, ChatBackend } from '../../../src/core/chat-backend.js';
import type { ChatEvent } from '../../../src/core/chat-event.js';
import { composeBackend } from '../../../src/core/chat-middleware.js';
import type { ChatRequest } from '../../../src/core/chat-request.js';
import type { ChatResult, Usage } from '../../../src/core/chat-result.js';
import { silentLogger } from '../../../src/core/logger.js';
import { ANONYMOUS } from '../../../src/core/principal.js';
import { responseCache } from '../../../src/pipeline/response-cache.js';
import { stopSequences } from '../../../src/pipeline/stop-sequences.js';
import { createMemoryKvStore } from '../../../src/stores/memory-kv-store.js';

// The stop-sequence stage around a scripted backend: what reaches the backend, which events come out, and
// that the upstream stream is ended (return()) as soon as a sequence is complete.

const UPSTREAM_USAGE: Usage = { promptTokens: 50, completionTokens: 9 };
const ESTIMATE = 21;
const startEvent: ChatEvent = { type: 'start', model: 'm', createdAt: new Date(0) };
const text = (value: string): ChatEvent => ({ type: 'text-delta', text: value });
const reasoning = (value: string): ChatEvent => ({ type: 'reasoning-delta', text: value });
const upstreamFinish: ChatEvent = { type: 'finish', finishReason: 'stop', usage: UPSTREAM_USAGE };

const ask = (stop: string[] | undefined, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  sampling: { temperature: 0, ...(stop ? { stop } : {}) },
  ...(stop ? { reportStopSequence: true } : {}),
  ...extra,
});

const ctx: CallContext = { signal: new AbortController().signal, requestId: 'r', principal: ANONYMOUS, logger: silentLogger, outcome: {} };

/** A backend streaming `script` (start, the deltas, finish) through an iterator that records pulls and return(). */
function scriptedBackend(deltas: readonly ChatEvent[]) {
  const script = [startEvent, ...deltas, upstreamFinish];
  const seen = { requests: [] as ChatRequest[], pulled: 0, returned: 0, completes: 0 };
  const completion: Promise<ChatResult> = Promise.resolve({ model: 'm', createdAt: new Date(0), message: { role: 'assistant', content: 'whole' }, finishReason: 'stop', usage: UPSTREAM_USAGE });
  const events = (): AsyncIterable<ChatEvent> => ({
    [Symbol.asyncIterator]: () => ({
      next: () => {
        const value = script[seen.pulled];
        if (value === undefined) return Promise.resolve({ done: true, value: undefined });
        seen.pulled++;
        return Promise.resolve({ done: false, value });
      },
      return: () => {
        seen.returned++;
        return Promise.resolve({ done: true, value: undefined });
      },
    }),
  });
  const streams: AsyncIterable<ChatEvent>[] = [];
  const backend: ChatBackend = {
    complete: (request) => {
      seen.requests.push(request);
      seen.completes++;
      return completion;
    },
    stream: (request) => {
      seen.requests.push(request);
      const stream = events();
      streams.push(stream);
      return stream;
    },
    completeText: () => Promise.reject(new Error('unused')),
    streamText: () => events(),
    embed: () => Promise.reject(new Error('unused')),
    listModels: async () => [],
  };
  return { backend, seen, completion, streams, scriptLength: script.length };
}

const estimates: ChatRequest[] = [];
const stage = stopSequences({
  estimatePromptTokens: (request) => {
    estimates.push(request);
    return ESTIMATE;
  },
});

async function run(deltas: readonly ChatEvent[], stop: string[] | undefined = ['END']) {
  const scripted = scriptedBackend(deltas);
  const out: ChatEvent[] = [];
  for await (const event of stage(scripted.backend).stream(ask(stop), ctx)) out.push(event);
  const texts = out.flatMap((event) => (event.type === 'text-delta' ? [event.text] : []));
  return { ...scripted, out, texts, answer: texts.join(''), finish: out.at(-1) };
}

describe('stopSequences', () => {
  it('cuts at a sequence inside one delta and names it in the finish event', async () => {
    const { texts, finish } = await run([text('Hello END world')]);
    expect(texts).toEqual(['Hello ']);
    expect(finish).toEqual({ type: 'finish', finishReason: 'stop', stopSequence: 'END', usage: { promptTokens: ESTIMATE, completionTokens: 1 } });
  });

  it('finds a sequence split across three deltas and sends none of it', async () => {
    const { texts, finish } = await run([text('Hel'), text('lo E'), text('N'), text('D and more'), text('never pulled')]);
    expect(texts).toEqual(['Hel', 'lo ']);
    expect(finish).toMatchObject({ finishReason: 'stop', stopSequence: 'END', usage: { completionTokens: 4 } });
  });

  it('takes the sequence that occurs first, not the one listed first', async () => {
    const { answer, finish } = await run([text('one ### two END')], ['END', '###']);
    expect(answer).toBe('one ');
    expect(finish).toMatchObject({ stopSequence: '###' });
  });

  it('releases held text intact and in order when the prefix turns out not to match', async () => {
    const { out, answer, finish } = await run([text('The EN'), text('ding is EN'), text('ough. E'), text('!')]);
    expect(answer).toBe('The ENding is ENough. E!');
    expect(out.filter((event) => event.type === 'text-delta').map((event) => event.type === 'text-delta' && event.text)).toEqual(['The ', 'ENding is ', 'ENough. ', 'E!']);
    expect(finish).toEqual(upstreamFinish);
  });

  it('passes every event on unchanged when no sequence appears, with the upstream finish and usage', async () => {
    const deltas = [text('plain '), text('answer')];
    const { out, seen } = await run(deltas);
    expect(out).toEqual([startEvent, ...deltas, upstreamFinish]);
    expect(seen.returned).toBe(0);
  });

  it('flushes held-back text before a natural finish', async () => {
    const { out } = await run([text('Hello E')]);
    expect(out).toEqual([startEvent, text('Hello '), text('E'), upstreamFinish]);
  });

  it('flushes held-back text before a tool call, keeping the order of the blocks', async () => {
    const call: ChatEvent = { type: 'tool-call', index: 0, call: { id: 'c', name: 't', argumentsJson: '{}' } };
    const { out } = await run([text('Checking E'), call]);
    expect(out).toEqual([startEvent, text('Checking '), text('E'), call, upstreamFinish]);
  });

  it('leaves reasoning untouched (stop sequences apply to the answer text) but counts its tokens', async () => {
    const { out, finish } = await run([reasoning('END of thought'), reasoning('E'), text('Answer END')]);
    expect(out.slice(0, 4)).toEqual([startEvent, reasoning('END of thought'), reasoning('E'), text('Answer ')]);
    expect(finish).toMatchObject({ stopSequence: 'END', usage: { completionTokens: 3 } });
  });

  it('ends the upstream stream (return()) at a match, before the finish event, and pulls nothing after it', async () => {
    const scripted = scriptedBackend([text('a'), text('END'), text('b'), text('c')]);
    const iterator = stage(scripted.backend).stream(ask(['END']), ctx)[Symbol.asyncIterator]();
    const types: string[] = [];
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
      types.push(step.value.type);
      if (step.value.type === 'finish') expect(scripted.seen.returned).toBe(1);
    }
    expect(types).toEqual(['start', 'text-delta', 'finish']);
    expect(scripted.seen.pulled).toBe(3);
  });

  it('prefers the sequence complete first, and the longest of those ending together, however the text is split', async () => {
    const cases: [string, string[], string, string][] = [
      ['xabcdy', ['abcd', 'bc'], 'xa', 'bc'],
      ['xabcdy', ['d', 'cd'], 'xab', 'cd'],
      ['so EN END', ['END', 'N E'], 'so E', 'N E'],
    ];
    for (const [whole, stops, before, stop] of cases) {
      for (let cut = 0; cut <= whole.length; cut++) {
        for (let second = cut; second <= whole.length; second++) {
          const pieces = [whole.slice(0, cut), whole.slice(cut, second), whole.slice(second)].filter((piece) => piece !== '').map(text);
          const { answer, finish } = await run(pieces, stops);
          expect({ answer, stop: finish?.type === 'finish' && finish.stopSequence }).toEqual({ answer: before, stop });
        }
      }
    }
  });

  it('sends the request on without the stop list or the flag, keeping the other sampling options', async () => {
    const { seen } = await run([text('x')], ['END']);
    expect(seen.requests).toEqual([{ model: 'm', messages: [{ role: 'user', content: 'hi' }], sampling: { temperature: 0 } }]);
  });

  it('estimates the prompt tokens of the request as it arrived', async () => {
    estimates.length = 0;
    await run([text('END')], ['END']);
    expect(estimates).toEqual([ask(['END'])]);
  });

  it('ignores empty sequences', async () => {
    const { answer, finish } = await run([text('a'), text('b')], ['']);
    expect(answer).toBe('ab');
    expect(finish).toEqual(upstreamFinish);
  });

  it('answers a non-streamed request from the next stage’s stream, cut and folded', async () => {
    const scripted = scriptedBackend([text('Result: 4'), text('2\n'), text('###'), text('more')]);
    const result = await stage(scripted.backend).complete(ask(['###']), ctx);
    expect(result).toEqual({
      model: 'm',
      createdAt: new Date(0),
      message: { role: 'assistant', content: 'Result: 42\n' },
      finishReason: 'stop',
      stopSequence: '###',
      usage: { promptTokens: ESTIMATE, completionTokens: 3 },
    });
    expect(scripted.seen.completes).toBe(0);
    expect(scripted.seen.returned).toBe(1);
  });

  it('costs other requests nothing: the next stage’s own stream and promise, the request untouched', () => {
    const scripted = scriptedBackend([text('END')]);
    const backend = stage(scripted.backend);
    // Without the flag (OpenAI's stop goes to Ollama), and with the flag but no stop list.
    const openai: ChatRequest = { model: 'm', messages: [], sampling: { stop: ['END'] } };
    const noList: ChatRequest = { model: 'm', messages: [], sampling: {}, reportStopSequence: true };
    expect(backend.stream(openai, ctx)).toBe(scripted.streams[0]);
    expect(backend.stream(noList, ctx)).toBe(scripted.streams[1]);
    expect(backend.complete(openai, ctx)).toBe(scripted.completion);
    expect(scripted.seen.requests).toEqual([openai, noList, openai]);
  });

  it('under the response cache: the cut answer is stored and replayed with its stop sequence', async () => {
    const scripted = scriptedBackend([text('cached END rest')]);
    const cache = responseCache({ policy: 'deterministic', ttlMs: 60_000, shareAcrossKeys: false, tiers: [createMemoryKvStore()] });
    const pipeline = composeBackend(scripted.backend, cache, stage);
    const drain = async (events: AsyncIterable<ChatEvent>) => {
      const out: ChatEvent[] = [];
      for await (const event of events) out.push(event);
      return out;
    };
    const first = await drain(pipeline.stream(ask(['END']), { ...ctx, outcome: {} }));
    const again = { ...ctx, outcome: {} };
    const second = await drain(pipeline.stream(ask(['END']), again));
    expect(again.outcome).toMatchObject({ cache: 'hit' });
    expect(scripted.seen.requests).toHaveLength(1);
    expect(first.at(-1)).toMatchObject({ stopSequence: 'END' });
    expect(second.at(-1)).toMatchObject({ finishReason: 'stop', stopSequence: 'END' });
    expect(second.filter((event) => event.type === 'text-delta')).toEqual([text('cached ')]);
  });
});

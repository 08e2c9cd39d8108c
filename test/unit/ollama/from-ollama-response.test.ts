import { describe, expect, it } from 'vitest';
import { collectResult, type ChatEvent } from '../../../src/core/chat-event.js';
import { UpstreamError } from '../../../src/core/errors.js';
import {
  createChatLineReducer,
  createGenerateLineReducer,
  fromOllamaChatResponse,
  fromOllamaGenerateResponse,
  type OllamaResponseContext,
} from '../../../src/ollama/from-ollama-response.js';
import { ollamaChatLineSchema, ollamaGenerateLineSchema } from '../../helpers/ollama-line-schemas.js';
import { readOllamaChatLine, readOllamaGenerateLine } from '../../../src/ollama/read-ollama-line.js';
import { fixtureJson, fixtureLines } from './ollama-fixtures.js';

const NOW = new Date('2030-01-01T00:00:00Z');

function context(inlineThinking = false): OllamaResponseContext {
  let counter = 0;
  return { newId: () => `call_gen${++counter}`, now: () => NOW, inlineThinking };
}

function chatEvents(fixture: string, inlineThinking = false): ChatEvent[] {
  const reduce = createChatLineReducer(context(inlineThinking));
  return fixtureLines(fixture).flatMap((line) => reduce(readOllamaChatLine(line)));
}

function chatLine(content: string, done = false, extra: Record<string, unknown> = {}): unknown {
  return { model: 'deepseek-r1:7b', created_at: '2025-02-03T10:00:00Z', message: { role: 'assistant', content }, done, ...extra };
}

function reduceContents(contents: string[], options: { inlineThinking: boolean; doneReason?: string }): ChatEvent[] {
  const reduce = createChatLineReducer(context(options.inlineThinking));
  const lines = [...contents.map((content) => chatLine(content)), chatLine('', true, { done_reason: options.doneReason ?? 'stop' })];
  return lines.flatMap((line) => reduce(readOllamaChatLine(line)));
}

/** What a client ends up with: adjacent deltas of one kind merged. */
function visible(events: ChatEvent[]): [string, string][] {
  const out: [string, string][] = [];
  for (const event of events) {
    if (event.type !== 'text-delta' && event.type !== 'reasoning-delta') continue;
    const last = out[out.length - 1];
    if (last && last[0] === event.type) last[1] += event.text;
    else out.push([event.type, event.text]);
  }
  return out;
}

const text = (t: string): ChatEvent => ({ type: 'text-delta', text: t });
const reasoning = (t: string): ChatEvent => ({ type: 'reasoning-delta', text: t });

describe('createChatLineReducer', () => {
  it('emits start, one text delta per line and a stop finish with usage (chat-basic)', () => {
    expect(chatEvents('chat-basic.ndjson')).toEqual([
      { type: 'start', model: 'deepseek-v3.1:671b', createdAt: new Date('2025-09-12T08:15:01.104Z') },
      text('Bonjour'),
      text(' ! Le café'),
      text(' coûte 3 €'),
      text(' 🙂 — 咖啡'),
      text('.'),
      { type: 'finish', finishReason: 'stop', usage: { promptTokens: 12, completionTokens: 6 } },
    ]);
  });

  it('maps the thinking field to reasoning deltas (chat-thinking)', () => {
    expect(chatEvents('chat-thinking.ndjson').slice(1)).toEqual([
      reasoning('Okay'),
      reasoning(', the user asks'),
      reasoning(' for 2+2.'),
      text('2 + 2'),
      text(' = 4.'),
      { type: 'finish', finishReason: 'stop', usage: { promptTokens: 9, completionTokens: 24 } },
    ]);
  });

  it('leaves a thinking model\'s content alone even if it mentions </think> (thinking field in use)', () => {
    const reduce = createChatLineReducer(context(true));
    const first = { ...(chatLine('') as object), message: { role: 'assistant', content: '', thinking: 'hmm' } };
    const events = [first, chatLine('Use </think> to close.'), chatLine('', true)].flatMap((line) => reduce(readOllamaChatLine(line)));
    expect(visible(events)).toEqual([['reasoning-delta', 'hmm'], ['text-delta', 'Use </think> to close.']]);
  });

  it.each([false, true])('splits inline <think>…</think> into reasoning and content (inlineThinking=%s)', (inline) => {
    expect(visible(chatEvents('chat-inline-think.ndjson', inline))).toEqual([
      ['reasoning-delta', 'Simple sum.\n'],
      ['text-delta', 'It is 4.'],
    ]);
  });

  it('treats text before </think> as reasoning when the opening tag is missing (inline model)', () => {
    expect(visible(chatEvents('chat-inline-think-no-open.ndjson', true))).toEqual([
      ['reasoning-delta', 'Okay, greet back.\n'],
      ['text-delta', 'Hello!'],
    ]);
  });

  it('passes everything through as content for a model not known to reason inline', () => {
    expect(visible(chatEvents('chat-inline-think-no-open.ndjson', false))).toEqual([
      ['text-delta', 'Okay, greet back.\n</think>\n\nHello!'],
    ]);
  });

  it('handles tags split across lines without losing a "<" in the reasoning or the answer', () => {
    expect(visible(chatEvents('chat-inline-think-split.ndjson', true))).toEqual([
      ['reasoning-delta', 'Compare a<b then stop.'],
      ['text-delta', 'Yes, a < b.'],
    ]);
  });

  it('numbers tool calls across lines, keeps Ollama ids and makes up missing ones (chat-tool-call)', () => {
    const events = chatEvents('chat-tool-call.ndjson');
    expect(events.slice(1)).toEqual([
      text('Checking both cities.'),
      { type: 'tool-call', index: 0, call: { id: 'call_k2m9x0qa', name: 'get_weather', argumentsJson: '{"city":"Tokyo","unit":"celsius"}' } },
      { type: 'tool-call', index: 1, call: { id: 'call_gen1', name: 'get_weather', argumentsJson: '{"city":"Paris"}' } },
      { type: 'tool-call', index: 2, call: { id: 'call_7yq1b3zz', name: 'get_time', argumentsJson: '{}' } },
      { type: 'finish', finishReason: 'tool_calls', usage: { promptTokens: 187, completionTokens: 61 } },
    ]);
  });

  it('reports a length finish and keeps reasoning from the done line (chat-length)', () => {
    expect(chatEvents('chat-length.ndjson').slice(1)).toEqual([
      reasoning('Let me'),
      reasoning(' think about'),
      reasoning(' this'),
      { type: 'finish', finishReason: 'length', usage: { promptTokens: 14, completionTokens: 3 } },
    ]);
  });

  it('keeps only the first tool call when the request said parallelToolCalls: false, across lines too', () => {
    const reduce = createChatLineReducer({ ...context(), singleToolCall: true });
    const call = (name: string) => ({ function: { name, arguments: {} } });
    const first = { ...(chatLine('', false) as object), message: { role: 'assistant', content: '', tool_calls: [call('a'), call('b')] } };
    const last = { ...(chatLine('', true, { done_reason: 'stop' }) as object), message: { role: 'assistant', content: '', tool_calls: [call('c')] } };
    const events = [...reduce(readOllamaChatLine(first)), ...reduce(readOllamaChatLine(last))];
    expect(events.filter((event) => event.type === 'tool-call').map((event) => event.type === 'tool-call' && event.call.name)).toEqual(['a']);
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
  });

  it('keeps length as the finish reason even after tool calls', () => {
    const reduce = createChatLineReducer(context());
    const call = { function: { name: 'f', arguments: {} } };
    const line = { ...(chatLine('', true, { done_reason: 'length' }) as object), message: { role: 'assistant', content: '', tool_calls: [call] } };
    expect(reduce(readOllamaChatLine(line)).at(-1)).toMatchObject({ type: 'finish', finishReason: 'length' });
  });

  it('yields the events before a mid-stream error line, then throws an UpstreamError with its message', () => {
    const reduce = createChatLineReducer(context());
    const seen: ChatEvent[] = [];
    let caught: unknown;
    try {
      for (const line of fixtureLines('chat-error-midstream.ndjson')) seen.push(...reduce(readOllamaChatLine(line)));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UpstreamError);
    expect(caught).toMatchObject({ status: 502, message: 'an error was encountered while running the model: unexpected EOF' });
    expect(visible(seen)).toEqual([['reasoning-delta', 'Hmm'], ['text-delta', 'The answer']]);
  });

  it('treats missing counters as 0 and a missing created_at as now()', () => {
    const reduce = createChatLineReducer(context());
    const events = reduce(readOllamaChatLine({ model: 'm', message: { role: 'assistant', content: 'x' }, done: true }));
    expect(events[0]).toEqual({ type: 'start', model: 'm', createdAt: NOW });
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage: { promptTokens: 0, completionTokens: 0 } });
  });

  it('ignores anything after the done line', () => {
    const reduce = createChatLineReducer(context());
    reduce(readOllamaChatLine(chatLine('a', true)));
    expect(reduce(readOllamaChatLine(chatLine('late')))).toEqual([]);
  });
});

describe('inline reasoning safety', () => {
  it('never holds back more than a partial tag', () => {
    const reduce = createChatLineReducer(context(true));
    reduce(readOllamaChatLine(chatLine('<think>')));
    expect(reduce(readOllamaChatLine(chatLine('abc </th')))).toEqual([reasoning('abc ')]);
    expect(reduce(readOllamaChatLine(chatLine('ought')))).toEqual([reasoning('</thought')]);
  });

  it('re-issues unclosed implicit reasoning as content at a normal stop, so an answer is never lost', () => {
    const events = reduceContents(['Hello', ' there!'], { inlineThinking: true });
    expect(visible(events)).toEqual([['reasoning-delta', 'Hello there!'], ['text-delta', 'Hello there!']]);
  });

  it('keeps unclosed reasoning as reasoning when the model ran out of tokens', () => {
    const events = reduceContents(['Let me', ' think'], { inlineThinking: true, doneReason: 'length' });
    expect(visible(events)).toEqual([['reasoning-delta', 'Let me think']]);
  });

  it('does not treat an HTML <th> at the start as a think tag', () => {
    expect(visible(reduceContents(['<th', '>Name</th>'], { inlineThinking: false }))).toEqual([['text-delta', '<th>Name</th>']]);
  });

  it('keeps leading whitespace of normal text', () => {
    expect(visible(reduceContents(['\n', '  x = 1'], { inlineThinking: false }))).toEqual([['text-delta', '\n  x = 1']]);
  });
});

describe('createGenerateLineReducer', () => {
  function generateEvents(fixture: string, inline = false): ChatEvent[] {
    const reduce = createGenerateLineReducer(context(inline));
    return fixtureLines(fixture).flatMap((line) => reduce(readOllamaGenerateLine(line)));
  }

  it('streams the response field verbatim, indentation included (generate-fim)', () => {
    expect(generateEvents('generate-fim.ndjson').slice(1)).toEqual([
      text('    if n < 2:\n'),
      text('        return n\n'),
      text('    return fib(n - 1) + fib(n - 2)'),
      { type: 'finish', finishReason: 'stop', usage: { promptTokens: 28, completionTokens: 21 } },
    ]);
  });

  it('maps the top-level thinking field to reasoning (generate-thinking)', () => {
    expect(visible(generateEvents('generate-thinking.ndjson', true))).toEqual([
      ['reasoning-delta', 'The user wants a haiku.'],
      ['text-delta', 'Autumn moon rises'],
    ]);
  });
});

describe('non-streamed responses', () => {
  it('turns a chat body into a ChatResult (chat-basic.json)', () => {
    const body = ollamaChatLineSchema.parse(fixtureJson('chat-basic.json'));
    expect(fromOllamaChatResponse(body, context())).toEqual({
      model: 'deepseek-v3.1:671b',
      createdAt: new Date('2025-09-12T08:15:01.281Z'),
      message: { role: 'assistant', content: 'Bonjour ! Le café coûte 3 € 🙂 — 咖啡.' },
      finishReason: 'stop',
      usage: { promptTokens: 12, completionTokens: 6 },
    });
  });

  it('carries thinking as message.reasoning (chat-thinking.json)', () => {
    const body = ollamaChatLineSchema.parse(fixtureJson('chat-thinking.json'));
    expect(fromOllamaChatResponse(body, context(true)).message).toEqual({
      role: 'assistant',
      content: '2 + 2 = 4.',
      reasoning: 'Okay, the user asks for 2+2.',
    });
  });

  it.each(['chat-basic', 'chat-thinking'])('agrees with the folded stream of the same reply (%s)', async (name) => {
    const streamed = await collectResult(
      (async function* () {
        yield* chatEvents(`${name}.ndjson`);
      })(),
    );
    const whole = fromOllamaChatResponse(ollamaChatLineSchema.parse(fixtureJson(`${name}.json`)), context());
    expect({ ...streamed, createdAt: null }).toEqual({ ...whole, createdAt: null });
  });

  it('splits inline reasoning in a whole body, and keeps tag-less text as content only', () => {
    const tagged = ollamaChatLineSchema.parse(chatLine('Okay, greet.\n</think>\n\nHello!', true));
    expect(fromOllamaChatResponse(tagged, context(true)).message).toEqual({ role: 'assistant', content: 'Hello!', reasoning: 'Okay, greet.\n' });
    const plain = ollamaChatLineSchema.parse(chatLine('Hello!', true, { done_reason: 'stop' }));
    expect(fromOllamaChatResponse(plain, context(true)).message).toEqual({ role: 'assistant', content: 'Hello!' });
  });

  it('turns a generate body into a ChatResult (generate-basic.json)', () => {
    const body = ollamaGenerateLineSchema.parse(fixtureJson('generate-basic.json'));
    const result = fromOllamaGenerateResponse(body, context());
    expect(result.message.content).toBe('    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)');
    expect(result.usage).toEqual({ promptTokens: 28, completionTokens: 21 });
  });

  it('refuses a body that is not done', () => {
    const body = ollamaChatLineSchema.parse(chatLine('partial'));
    expect(() => fromOllamaChatResponse(body, context())).toThrow(UpstreamError);
  });
});

import { describe, expect, it } from 'vitest';
import { collectResult, type ChatEvent } from '../../../src/core/chat-event.js';
import { createChatLineReducer, fromOllamaChatResponse } from '../../../src/ollama/from-ollama-response.js';
import { fromOllamaShowTraits } from '../../../src/ollama/model-traits.js';
import { createModelTraitsCache } from '../../../src/ollama/model-traits-cache.js';
import { ollamaShowSchema } from '../../../src/ollama/ollama-wire.js';
import { ollamaChatLineSchema } from '../../helpers/ollama-line-schemas.js';
import { readOllamaChatLine } from '../../../src/ollama/read-ollama-line.js';
import { calibrate, contextLimit, estimatePromptTokens } from '../../../src/ollama/context-fit.js';
import { fixtureLines } from './ollama-fixtures.js';

const context = () => ({ newId: () => 'call_x', now: () => new Date(0) });

function events(lines: unknown[]): ChatEvent[] {
  const reduce = createChatLineReducer(context());
  return lines.flatMap((line) => reduce(readOllamaChatLine(line)));
}

async function* replay(list: ChatEvent[]) {
  yield* list;
}

describe('Ollama 0.33.3+ lines: prompt_eval_cached_count and logprobs', () => {
  const lines = fixtureLines('chat-logprobs-cached.ndjson');

  it('passes the zod line schema as well as the hot-path reader', () => {
    for (const line of lines) expect(ollamaChatLineSchema.safeParse(line).success).toBe(true);
  });

  it('reads the cached count into usage.cachedTokens (prompt_eval_count already includes it)', () => {
    const finish = events(lines).at(-1)!;
    expect(finish).toMatchObject({ type: 'finish', usage: { promptTokens: 29, completionTokens: 4, cachedTokens: 24 } });
  });

  it('leaves cachedTokens out when the line has no cached count', () => {
    const line = { model: 'm', created_at: '2026-01-01T00:00:00Z', message: { role: 'assistant', content: '' }, done: true, prompt_eval_count: 5 };
    expect(events([line]).at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage: { promptTokens: 5, completionTokens: 0 } });
  });

  it('puts logprobs on the text deltas, drops those of reasoning, and carries held-back ones to the next text', async () => {
    const list = events(lines);
    const texts = list.filter((event) => event.type === 'text-delta');
    expect(texts[0]).toMatchObject({ text: 'Hello', logprobs: [{ token: '</think>' }, { token: 'Hello', top: [{ token: 'Hello' }, { token: 'Hi', logprob: -2.3 }] }] });
    expect(texts[1]).toMatchObject({ text: '.', logprobs: [{ token: '.', logprob: -0.05, bytes: [46] }] });
    const result = await collectResult(replay(list));
    expect(result.logprobs!.map((entry) => entry.token)).toEqual(['</think>', 'Hello', '.']);
  });

  it('gathers logprobs of a non-streamed body', () => {
    const body = {
      model: 'm',
      created_at: '2026-01-01T00:00:00Z',
      message: { role: 'assistant', content: 'Hi.' },
      done: true,
      logprobs: [{ token: 'Hi', logprob: -0.1 }, { token: '.', logprob: -0.2 }],
    };
    expect(fromOllamaChatResponse(readOllamaChatLine(body), context()).logprobs).toEqual([{ token: 'Hi', logprob: -0.1 }, { token: '.', logprob: -0.2 }]);
  });

  it('rejects a malformed logprobs field as an upstream error', () => {
    const line = { model: 'm', message: { content: 'x' }, done: false, logprobs: [{ token: 1 }] };
    expect(() => readOllamaChatLine(line)).toThrow(/unexpected stream line/);
  });
});

describe('fromOllamaShowTraits', () => {
  const show = (extra: Record<string, unknown>) =>
    ollamaShowSchema.parse({ model_info: { 'general.architecture': 'qwen2', 'qwen2.context_length': 131072 }, ...extra });

  it.each([
    ['a model without thinking', { capabilities: ['completion'] }, { canThink: false, levels: [] }],
    ['a DeepSeek model (on/off only)', { capabilities: ['completion', 'thinking'], renderer: 'deepseek3.1' }, { canThink: true, levels: [] }],
    ['a qwen3.5 renderer (levels up to max)', { capabilities: ['completion', 'thinking'], renderer: 'qwen3.5' }, { canThink: true, levels: ['low', 'medium', 'high', 'max'] }],
    ['a harmony template (gpt-oss)', { capabilities: ['completion', 'thinking'], template: '{{ .ThinkLevel }}' }, { canThink: true, levels: ['low', 'medium', 'high'] }],
  ])('reads the think support of %s', (_name, extra, think) => {
    expect(fromOllamaShowTraits(show(extra)).think).toEqual(think);
  });

  it('reads the trained context length and the Modelfile num_ctx', () => {
    const traits = fromOllamaShowTraits(show({ parameters: 'num_ctx                        8192\ntemperature                    0.6' }));
    expect(traits).toMatchObject({ contextLength: 131072, numCtx: 8192 });
  });
});

describe('createModelTraitsCache', () => {
  it('loads a model once, answers synchronously afterwards, and retries after the TTL', async () => {
    let clock = 0;
    let loads = 0;
    const cache = createModelTraitsCache({
      load: async () => {
        loads++;
        return { capabilities: [], think: { canThink: false, levels: [] } };
      },
      ttlMs: 1000,
      failureTtlMs: 10,
      now: () => clock,
    });
    const [a, b] = [cache.get('m'), cache.get('m')];
    expect(a).toBeInstanceOf(Promise);
    await Promise.all([a, b]);
    expect(loads).toBe(1);
    expect(cache.get('m')).not.toBeInstanceOf(Promise);
    clock = 2000;
    await cache.get('m');
    expect(loads).toBe(2);
  });

  it('remembers a failed lookup as unknown for a short while', async () => {
    let clock = 0;
    let loads = 0;
    const cache = createModelTraitsCache({ load: async () => Promise.reject(new Error(`show failed ${++loads}`)), ttlMs: 1000, failureTtlMs: 10, now: () => clock });
    expect(await cache.get('m')).toBeUndefined();
    expect(cache.get('m')).toBeUndefined();
    clock = 20;
    await cache.get('m');
    expect(loads).toBe(2);
  });
});

describe('context fit', () => {
  it('takes the request num_ctx, then the Modelfile, then the server default, never above the trained length', () => {
    expect(contextLimit(2048, 8192, 4096, 131072)).toMatchObject({ tokens: 2048 });
    expect(contextLimit(undefined, 8192, 4096, 131072)).toMatchObject({ tokens: 8192 });
    expect(contextLimit(undefined, undefined, 4096, 131072)).toMatchObject({ tokens: 4096 });
    expect(contextLimit(undefined, undefined, undefined, 131072)).toMatchObject({ tokens: 131072 });
    expect(contextLimit(1_000_000, undefined, undefined, 131072)).toMatchObject({ tokens: 131072 });
    expect(contextLimit(undefined, undefined, undefined, undefined)).toBeUndefined();
  });

  it('calibrates the estimate toward what Ollama counted', () => {
    const raw = estimatePromptTokens(4000, 2);
    expect(raw).toBe(1008);
    const ratio = calibrate(undefined, 1512, raw);
    expect(ratio).toBe(1.5);
    expect(calibrate(ratio, 1008, raw)).toBeCloseTo(1.35);
  });
});

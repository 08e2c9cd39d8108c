// Today's Ollama and DeepSeek dialect through the official openai client: cached prompt tokens, thinking levels,
// DeepSeek API names and coding-agent names, logprobs, reasoning in tool turns and context overflow.
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeModel, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { validateOpenAI } from '../helpers/openai-schema.js';

const KEY = 'sk-test-master-key-0123456789';
/** An Ollama that reports prompt_eval_cached_count (0.33.3+) and one before it. */
let fakeNew: FakeOllama;
let fakeOld: FakeOllama;
let appNew: TestApp;
let appOld: TestApp;
let client: OpenAI;
let oldClient: OpenAI;

beforeAll(async () => {
  [fakeNew, fakeOld] = await Promise.all([startFakeOllama({ version: '0.33.3' }), startFakeOllama()]);
  [appNew, appOld] = await Promise.all([
    startTestApp({ ollamaUrl: fakeNew.url, env: { MASTER_KEY: KEY }, file: { models: { aliases: { 'claude-opus-*': 'qwen3:8b' }, listCacheMs: 0 } } }),
    startTestApp({ ollamaUrl: fakeOld.url, env: { MASTER_KEY: KEY } }),
  ]);
  client = new OpenAI({ baseURL: `${appNew.url}/v1`, apiKey: KEY, maxRetries: 0 });
  oldClient = new OpenAI({ baseURL: `${appOld.url}/v1`, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await Promise.all([appNew.close(), appOld.close()]);
  await Promise.all([fakeNew.close(), fakeOld.close()]);
});
beforeEach(() => {
  fakeNew.reset();
  fakeOld.reset();
});

type Json = Record<string, unknown>;
const chats = (fake: FakeOllama) => fake.requests.filter((request) => request.path === '/api/chat').map((request) => request.body as Json);
const lastChat = (fake: FakeOllama) => chats(fake).at(-1)!;
const user = (content: string) => ({ role: 'user' as const, content });

describe('cached prompt tokens', () => {
  const history = [user('Summarise the plot of Hamlet in one line.'), { role: 'assistant' as const, content: 'A prince avenges his father.' }];

  it('reports Ollama prompt_eval_cached_count as cached_tokens and DeepSeek hit/miss tokens', async () => {
    const first = await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [...history, user('And Macbeth?')] });
    expect(first.usage!.prompt_tokens_details!.cached_tokens).toBe(0);
    const second = await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [...history, user('And Othello?')] });
    const usage = second.usage as OpenAI.CompletionUsage & { prompt_cache_hit_tokens: number; prompt_cache_miss_tokens: number };
    expect(validateOpenAI('CreateChatCompletionResponse', second)).toEqual([]);
    expect(usage.prompt_tokens_details!.cached_tokens).toBeGreaterThan(0);
    expect(usage.prompt_cache_hit_tokens).toBe(usage.prompt_tokens_details!.cached_tokens);
    expect(usage.prompt_cache_hit_tokens + usage.prompt_cache_miss_tokens).toBe(usage.prompt_tokens);
  });

  it('puts them in the stream usage chunk too', async () => {
    await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [...history, user('And Lear?')] });
    const stream = await client.chat.completions.create({
      model: 'deepseek-r1:7b',
      messages: [...history, user('And Hamlet again?')],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: (OpenAI.CompletionUsage & { prompt_cache_hit_tokens?: number; prompt_cache_miss_tokens?: number }) | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThan(0);
    expect(usage!.prompt_cache_hit_tokens! + usage!.prompt_cache_miss_tokens!).toBe(usage!.prompt_tokens);
  });

  it('leaves the fields out when Ollama does not report the count', async () => {
    const completion = await oldClient.chat.completions.create({ model: 'deepseek-r1:7b', messages: [user('hi')] });
    expect(completion.usage).not.toHaveProperty('prompt_tokens_details');
    expect(completion.usage).not.toHaveProperty('prompt_cache_hit_tokens');
  });

  it('counts cached tokens separately in proxy_tokens_total', async () => {
    await client.chat.completions.create({ model: 'deepseek-r1:32b', messages: [...history, user('One')] });
    const second = await client.chat.completions.create({ model: 'deepseek-r1:32b', messages: [...history, user('Two')] });
    const text = await (await fetch(`${appNew.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })).text();
    const line = text.split('\n').find((entry) => entry.startsWith('proxy_tokens_total{model="deepseek-r1:32b",kind="cached"}'));
    expect(Number(line?.split(' ').at(-1))).toBe(second.usage!.prompt_tokens_details!.cached_tokens);
  });
});

describe('thinking levels', () => {
  it('clamps reasoning_effort onto a model without thinking instead of failing (Ollama would answer 400)', async () => {
    const completion = await client.chat.completions.create({ model: 'deepseek-coder-v2:16b', messages: [user('hi')], reasoning_effort: 'high' });
    expect(completion.choices[0]!.message.content).toBe('Echo: hi');
    expect(lastChat(fakeNew)).not.toHaveProperty('think');
  });

  it('sends the level a level-reading model supports, read once from /api/show', async () => {
    fakeNew.models.push(fakeModel('qwen3.5:9b', { capabilities: ['completion', 'tools', 'thinking'], renderer: 'qwen3.5', parser: 'qwen3.5' }));
    await client.chat.completions.create({ model: 'qwen3.5:9b', messages: [user('a')], reasoning_effort: 'xhigh' });
    expect(lastChat(fakeNew).think).toBe('max');
    await client.chat.completions.create({ model: 'qwen3.5:9b', messages: [user('b')], reasoning_effort: 'minimal' });
    expect(lastChat(fakeNew).think).toBe('low');
    const shows = fakeNew.requests.filter((request) => request.path === '/api/show' && (request.body as Json).model === 'qwen3.5:9b');
    expect(shows).toHaveLength(1);
  });

  it('sends true for an effort on a boolean-only DeepSeek model, and false for none', async () => {
    await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [user('a')], reasoning_effort: 'max' });
    expect(lastChat(fakeNew).think).toBe(true);
    await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [user('b')], reasoning_effort: 'none' });
    expect(lastChat(fakeNew).think).toBe(false);
  });

  it("honours DeepSeek's thinking switch", async () => {
    const body = { model: 'deepseek-v3.1:671b', messages: [user('x')], thinking: { type: 'disabled' } };
    const completion = await client.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(lastChat(fakeNew).think).toBe(false);
    expect(completion.choices[0]!.message).not.toHaveProperty('reasoning_content');
  });

  it('deepseek-chat does not think on a hybrid model; deepseek-reasoner does', async () => {
    const chat = await client.chat.completions.create({ model: 'deepseek-chat', messages: [user('x')] });
    expect(lastChat(fakeNew)).toMatchObject({ model: 'deepseek-v3.1:671b', think: false });
    expect(chat.model).toBe('deepseek-chat');
    await client.chat.completions.create({ model: 'deepseek-reasoner', messages: [user('x')] });
    expect(lastChat(fakeNew)).toMatchObject({ model: 'deepseek-r1:32b', think: true });
  });
});

describe('model names', () => {
  it.each([
    ['deepseek-v4-pro', 'deepseek-v3.1:671b'],
    ['deepseek-flash', 'deepseek-r1:7b'],
    ['claude-sonnet-4-5', 'deepseek-v3.1:671b'],
    ['claude-haiku-4-5', 'deepseek-r1:7b'],
    ['gpt-5-codex', 'deepseek-v3.1:671b'],
    ['o4-mini', 'deepseek-r1:7b'],
    ['claude-opus-4-1', 'qwen3:8b'],
    ['deepseek-v3.1', 'deepseek-v3.1:671b'],
  ])('%s works with no config and reaches %s', async (name, target) => {
    const completion = await client.chat.completions.create({ model: name, messages: [user('hi')] });
    expect(completion.model).toBe(name);
    expect(lastChat(fakeNew).model).toBe(target);
  });

  it('explains an alias nothing installed can serve', async () => {
    fakeNew.models.splice(0, fakeNew.models.length, fakeModel('llama3:8b'));
    const error = await client.chat.completions.create({ model: 'deepseek-v4-flash', messages: [user('hi')] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const message = (error as InstanceType<typeof OpenAI.NotFoundError>).message;
    expect(message).toMatch(/'deepseek-v4-flash' is an alias/);
    expect(message).toContain('installed: llama3:8b');
    expect(message).toContain('models.aliases');
  });

  it('lists the installed tags when a name without a tag names several', async () => {
    const error = await client.chat.completions.create({ model: 'deepseek-r1', messages: [user('hi')] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as Error).message).toContain('deepseek-r1:7b, deepseek-r1:32b');
  });

  it('suggests close names for an unknown model, streamed or not', async () => {
    const error = await client.chat.completions.create({ model: 'deepseek-r2:7b', messages: [user('hi')] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as Error).message).toMatch(/Did you mean 'deepseek-r1:/);
    const streamed = await client.chat.completions
      .create({ model: 'deepseek-r2:7b', messages: [user('hi')], stream: true })
      .then(async (stream) => {
        for await (const _chunk of stream) void _chunk;
      })
      .catch((caught: unknown) => caught);
    expect(streamed).toBeInstanceOf(OpenAI.NotFoundError);
    expect((streamed as Error).message).toMatch(/Did you mean/);
  });
});

describe('logprobs', () => {
  it('returns choices[].logprobs.content with top_logprobs', async () => {
    const completion = await client.chat.completions.create({ model: 'deepseek-coder-v2:16b', messages: [user('two words')], logprobs: true, top_logprobs: 2 });
    expect(validateOpenAI('CreateChatCompletionResponse', completion)).toEqual([]);
    expect(lastChat(fakeNew)).toMatchObject({ logprobs: true, top_logprobs: 2 });
    const content = completion.choices[0]!.logprobs!.content!;
    expect(content.map((entry) => entry.token).join('')).toBe(completion.choices[0]!.message.content);
    expect(content[0]!.top_logprobs).toHaveLength(2);
    expect(content[0]!.bytes).toEqual([...Buffer.from(content[0]!.token)]);
    expect(content[0]!.logprob).toBeLessThan(0);
  });

  it('streams logprobs with the chunk of each token', async () => {
    const stream = await client.chat.completions.create({ model: 'deepseek-coder-v2:16b', messages: [user('three more words')], logprobs: true, stream: true });
    let text = '';
    const tokens: string[] = [];
    for await (const chunk of stream) {
      expect(validateOpenAI('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
      const choice = chunk.choices[0];
      text += choice?.delta.content ?? '';
      for (const entry of choice?.logprobs?.content ?? []) tokens.push(entry.token);
    }
    expect(tokens.join('')).toBe(text);
  });

  it('is null when the model server does not return logprobs', async () => {
    const completion = await client.chat.completions.create({ model: 'deepseek-coder-v2:16b', messages: [user('x')] });
    expect(completion.choices[0]!.logprobs).toBeNull();
  });

  it('refuses top_logprobs above 20 with a 400 naming the parameter', async () => {
    const error = await client.chat.completions
      .create({ model: 'deepseek-coder-v2:16b', messages: [user('x')], logprobs: true, top_logprobs: 21 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('top_logprobs');
  });

  it('maps legacy completions logprobs to tokens, token_logprobs, top_logprobs and text_offset', async () => {
    const completion = await client.completions.create({ model: 'deepseek-coder-v2:16b', prompt: 'def add(a, b):', logprobs: 2 });
    const logprobs = completion.choices[0]!.logprobs!;
    expect(logprobs.tokens!.join('')).toBe(completion.choices[0]!.text);
    expect(logprobs.token_logprobs).toHaveLength(logprobs.tokens!.length);
    expect(Object.keys(logprobs.top_logprobs![0]!)).toHaveLength(2);
    expect(logprobs.text_offset![1]).toBe(logprobs.tokens![0]!.length);
  });
});

describe('reasoning in tool turns', () => {
  it("sends the current turn's tool-call reasoning back as thinking and drops earlier reasoning", async () => {
    const call = { id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
    const messages = [
      user('Hi'),
      { role: 'assistant' as const, content: 'Hello!', reasoning_content: 'greet back' },
      user('Weather in Paris?'),
      { role: 'assistant' as const, content: null, tool_calls: [call], reasoning_content: 'I should call get_weather.' },
      { role: 'tool' as const, tool_call_id: 'call_1', content: 'sunny' },
    ];
    await client.chat.completions.create({ model: 'deepseek-v3.1:671b', messages } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const sent = lastChat(fakeNew).messages as Json[];
    expect(sent[1]).not.toHaveProperty('thinking');
    expect(sent[3]).toMatchObject({ role: 'assistant', thinking: 'I should call get_weather.' });
  });
});

describe('context overflow', () => {
  it('answers 400 context_length_exceeded when the prompt cannot fit num_ctx', async () => {
    const body = { model: 'deepseek-r1:7b', messages: [user('word '.repeat(400))], num_ctx: 64 };
    const error = await client.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(bad.code).toBe('context_length_exceeded');
    expect(bad.param).toBe('messages');
    expect(chats(fakeNew)).toEqual([]);
  });

  it("asks Ollama not to truncate and maps its refusal to context_length_exceeded", async () => {
    const error = await client.chat.completions
      .create({ model: 'deepseek-v3.1:671b', messages: [user('lorem ipsum '.repeat(2000))] })
      .catch((caught: unknown) => caught);
    expect(lastChat(fakeNew).truncate).toBe(false);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('context_length_exceeded');
  });
});

describe('context overflow with contextOverflow: truncate', () => {
  let fake: FakeOllama;
  let app: TestApp;
  beforeAll(async () => {
    fake = await startFakeOllama();
    app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, CONTEXT_OVERFLOW: 'truncate', OLLAMA_CONTEXT_LENGTH: '4096' } });
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  it('lets Ollama truncate and says so in x-context-truncated', async () => {
    const response = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'deepseek-r1:7b', messages: [user('old '.repeat(3000)), user('lorem ipsum '.repeat(1000)), user('last')] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-context-truncated')).toBe('true');
    expect(lastChat(fake)).not.toHaveProperty('truncate');
    const small = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'deepseek-r1:7b', messages: [user('short')] }),
    });
    expect(small.headers.get('x-context-truncated')).toBeNull();
  });
});

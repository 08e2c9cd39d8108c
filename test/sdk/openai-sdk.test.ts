import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatJson, chatLines, hang, replyError, replyJson, replyNdjson, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { validateOpenAI } from '../helpers/openai-schema.js';

const KEY = 'sk-test-master-key-0123456789';
let fake: FakeOllama;
let app: TestApp;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY } });
  client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const lastChat = () => fake.requests.filter((request) => request.path === '/api/chat').at(-1)!.body as Record<string, unknown>;

describe('openai SDK: chat completions', () => {
  it('answers a plain chat with a valid chat.completion', async () => {
    const completion = await client.chat.completions.create({ model: 'deepseek-v3.1:671b', messages: [{ role: 'user', content: 'hello there' }], reasoning_effort: 'none' });
    expect(validateOpenAI('CreateChatCompletionResponse', completion)).toEqual([]);
    expect(completion.choices[0]!.message.content).toBe('Echo: hello there');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    expect(completion._request_id).toMatch(/^req_/);
    expect(lastChat()).toMatchObject({ model: 'deepseek-v3.1:671b', stream: false, think: false });
  });

  it('gives each completion a unique id', async () => {
    const ask = () => client.chat.completions.create({ model: 'deepseek-v3.1:671b', messages: [{ role: 'user', content: 'x' }] });
    const [a, b] = await Promise.all([ask(), ask()]);
    expect(a.id).not.toBe(b.id);
  });

  it('streams content and reasoning_content deltas, one finish_reason, then the usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'deepseek-r1:7b',
      messages: [{ role: 'user', content: 'think about it' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    let reasoning = '';
    const finishes: string[] = [];
    const ids = new Set<string>();
    let usageChunks = 0;
    for await (const chunk of stream) {
      expect(validateOpenAI('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
      ids.add(chunk.id);
      if (chunk.usage) usageChunks++;
      const choice = chunk.choices[0];
      if (!choice) continue;
      const delta = choice.delta as { content?: string; reasoning_content?: string };
      content += delta.content ?? '';
      reasoning += delta.reasoning_content ?? '';
      if (choice.finish_reason) finishes.push(choice.finish_reason);
    }
    expect(ids.size).toBe(1);
    expect(content).toBe('Echo: think about it');
    expect(reasoning.length).toBeGreaterThan(0);
    expect(content).not.toContain('<think>');
    expect(finishes).toEqual(['stop']);
    expect(usageChunks).toBe(1);
  });

  it('returns reasoning_content on deepseek-r1 without streaming', async () => {
    const completion = await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'why?' }] });
    const message = completion.choices[0]!.message as { content: string | null; reasoning_content?: string };
    expect(message.reasoning_content).toBeTruthy();
    expect(message.content).toBe('Echo: why?');
  });

  it('moves inline <think> reasoning out of content', async () => {
    fake.script('/api/chat', replyJson(chatJson({ model: 'deepseek-r1:7b', content: ['<think>pondering</think>', 'The answer is 4'] })));
    const completion = await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: '2+2' }] });
    const message = completion.choices[0]!.message as { content: string | null; reasoning_content?: string };
    expect(message.reasoning_content).toBe('pondering');
    expect(message.content).toBe('The answer is 4');
  });

  it('moves inline <think> reasoning split across stream chunks out of content', async () => {
    fake.script('/api/chat', replyNdjson(chatLines({ model: 'deepseek-r1:7b', content: ['<th', 'ink>ponder', 'ing</thi', 'nk>', 'The answer', ' is 4'] })));
    const stream = await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: '2+2' }], stream: true });
    let content = '';
    let reasoning = '';
    for await (const chunk of stream) {
      const delta = (chunk.choices[0]?.delta ?? {}) as { content?: string; reasoning_content?: string };
      content += delta.content ?? '';
      reasoning += delta.reasoning_content ?? '';
    }
    expect(reasoning).toBe('pondering');
    expect(content).toBe('The answer is 4');
  });

  it('returns tool calls with unique ids and JSON-string arguments', async () => {
    fake.script('/api/chat', replyJson(chatJson({
      model: 'deepseek-v3.1:671b',
      toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }, { name: 'get_weather', arguments: { city: 'Oslo' } }],
    })));
    const completion = await client.chat.completions.create({
      model: 'deepseek-v3.1:671b',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    const calls = completion.choices[0]!.message.tool_calls!;
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);
    const first = calls[0]!;
    expect(first.type === 'function' && JSON.parse(first.function.arguments)).toEqual({ city: 'Paris' });
  });

  it('streams tool calls with distinct indices and finish_reason tool_calls', async () => {
    fake.script('/api/chat', replyNdjson(chatLines({
      model: 'deepseek-v3.1:671b',
      toolCalls: [{ name: 'a', arguments: { x: 1 } }, { name: 'b', arguments: {} }],
    })));
    const runner = client.chat.completions.stream({
      model: 'deepseek-v3.1:671b',
      messages: [{ role: 'user', content: 'go' }],
      tools: [{ type: 'function', function: { name: 'a', parameters: {} } }, { type: 'function', function: { name: 'b', parameters: {} } }],
    });
    const final = await runner.finalChatCompletion();
    const calls = final.choices[0]!.message.tool_calls!;
    expect(calls.map((call) => call.type === 'function' && call.function.name)).toEqual(['a', 'b']);
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('sends a tool result back as tool_name and tool_call_id', async () => {
    await client.chat.completions.create({
      model: 'deepseek-v3.1:671b',
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
    });
    const messages = lastChat().messages as Array<Record<string, unknown>>;
    expect(messages[1]).toMatchObject({ role: 'assistant', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] });
    expect(messages[2]).toMatchObject({ role: 'tool', tool_name: 'get_weather', content: 'sunny' });
  });

  it('maps JSON mode and sampling parameters, inventing none', async () => {
    const completion = await client.chat.completions.create({
      model: 'deepseek-v3.1:671b',
      messages: [{ role: 'developer', content: 'be terse' }, { role: 'user', content: 'json please' }],
      response_format: { type: 'json_object' },
      max_completion_tokens: 50,
      max_tokens: 10,
      stop: 'END',
    });
    expect(() => JSON.parse(completion.choices[0]!.message.content!)).not.toThrow();
    const body = lastChat();
    expect(body.format).toBe('json');
    expect(body.options).toEqual({ num_predict: 50, stop: ['END'] });
    expect((body.messages as Array<{ role: string }>)[0]!.role).toBe('system');
  });
});

describe('openai SDK: completions, embeddings, models', () => {
  it('does fill-in-the-middle through /v1/completions with suffix', async () => {
    const completion = await client.completions.create({ model: 'deepseek-coder-v2:16b', prompt: 'def add(a, b):\n', suffix: '\n    return c', max_tokens: 20 });
    expect(validateOpenAI('CreateCompletionResponse', completion)).toEqual([]);
    const sent = fake.requests.find((request) => request.path === '/api/generate')!.body as Record<string, unknown>;
    expect(sent).toMatchObject({ prompt: 'def add(a, b):\n', suffix: '\n    return c', stream: false, options: { num_predict: 20 } });
    expect(completion.choices[0]!.text.length).toBeGreaterThan(0);
  });

  it('returns float vectors through the SDK (which asks for base64)', async () => {
    const result = await client.embeddings.create({ model: 'nomic-embed-text', input: ['one', 'two'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[1]!.index).toBe(1);
    expect(result.data[0]!.embedding).toHaveLength(768);
    expect(result.data[0]!.embedding.every((value) => Number.isFinite(value) && Math.abs(value) <= 1)).toBe(true);
  });

  it('lists models including the DeepSeek API aliases', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['deepseek-r1:7b', 'deepseek-chat', 'deepseek-reasoner']));
    const chat = await client.models.retrieve('deepseek-chat');
    expect(chat.id).toBe('deepseek-chat');
  });

  it('resolves deepseek-reasoner to an installed deepseek-r1 tag', async () => {
    await client.chat.completions.create({ model: 'deepseek-reasoner', messages: [{ role: 'user', content: 'hi' }] });
    expect(lastChat().model).toMatch(/^deepseek-r1:/);
  });
});

describe('openai SDK: errors', () => {
  it('raises AuthenticationError for a wrong key', async () => {
    const bad = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    await expect(bad.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('raises NotFoundError with model_not_found for an unknown model', async () => {
    const error = await client.chat.completions.create({ model: 'nope:1b', messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });

  it('raises NotFoundError before streaming starts for an unknown model', async () => {
    const error = await client.chat.completions.create({ model: 'nope:1b', messages: [{ role: 'user', content: 'x' }], stream: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('raises BadRequestError naming the param', async () => {
    const error = await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'x' }], temperature: 7 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('temperature');
  });

  it('raises InternalServerError-class 503 with retry-after when Ollama is busy', async () => {
    fake.script('/api/chat', replyError(503, 'server busy, please try again.  maximum pending requests exceeded'));
    const error = await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBeTruthy();
  });

  it('surfaces a mid-stream upstream error as APIError', async () => {
    fake.script('/api/chat', { kind: 'midstream-error', lines: chatLines({ model: 'deepseek-r1:7b', content: ['partial'] }).slice(0, 1), message: 'model runner crashed' });
    const stream = await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'x' }], stream: true });
    const consume = async () => {
      for await (const _chunk of stream) void _chunk;
    };
    await expect(consume()).rejects.toThrow(/model runner crashed/);
  });

  it('aborting the stream cancels the upstream request', async () => {
    fake.script('/api/chat', { kind: 'ndjson', lines: chatLines({ model: 'deepseek-r1:7b', content: Array.from({ length: 200 }, () => 'tok ') }), delayMs: 20 });
    const stream = await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'long' }], stream: true });
    let seen = 0;
    for await (const _chunk of stream) {
      if (++seen === 3) stream.controller.abort();
    }
    await expect.poll(() => fake.closedRequests, { timeout: 2000 }).toBe(1);
  });

  it('a client that gives up while the model loads cancels the upstream too', async () => {
    fake.script('/api/chat', hang());
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'x' }], stream: true }, { signal: controller.signal });
    await expect.poll(() => fake.requests.filter((request) => request.path === '/api/chat').length).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => fake.closedRequests, { timeout: 2000 }).toBe(1);
  });
});

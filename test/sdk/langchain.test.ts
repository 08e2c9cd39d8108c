import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chatJson, chatLines, replyJson, replyNdjson, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const KEY = 'sk-test-master-key-langchain';
let fake: FakeOllama;
let app: TestApp;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY } });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const chat = (model: string, extra: Record<string, unknown> = {}) =>
  new ChatOpenAI({ model, apiKey: KEY, configuration: { baseURL: `${app.url}/v1` }, maxRetries: 0, ...extra });
const lastChat = () => fake.requests.filter((request) => request.path === '/api/chat').at(-1)!.body as Record<string, unknown>;
const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  schema: z.object({ city: z.string() }),
};

describe('LangChain ChatOpenAI against the proxy', () => {
  it('answers a plain chat', async () => {
    const reply = await chat('deepseek-v3.1:671b').invoke('hello langchain');
    expect(reply.content).toBe('Echo: hello langchain');
    expect(reply.response_metadata.tokenUsage).toMatchObject({ totalTokens: expect.any(Number) });
  });

  it('streams', async () => {
    let text = '';
    let chunks = 0;
    for await (const chunk of await chat('deepseek-v3.1:671b').stream('stream this please')) {
      text += typeof chunk.content === 'string' ? chunk.content : '';
      chunks++;
    }
    expect(text).toBe('Echo: stream this please');
    expect(chunks).toBeGreaterThan(2);
  });

  it('gets tool calls without streaming', async () => {
    fake.script('/api/chat', replyJson(chatJson({ model: 'deepseek-v3.1:671b', toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] })));
    const reply = await chat('deepseek-v3.1:671b').bindTools([weatherTool]).invoke('weather in Paris?');
    expect(reply.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: 'Paris' } })]);
    expect(reply.tool_calls![0]!.id).toMatch(/^call_/);
    expect(lastChat().tools).toEqual([expect.objectContaining({ type: 'function', function: expect.objectContaining({ name: 'get_weather' }) })]);
  });

  it('gets tool calls while streaming', async () => {
    fake.script('/api/chat', replyNdjson(chatLines({ model: 'deepseek-v3.1:671b', toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] })));
    const model = chat('deepseek-v3.1:671b').bindTools([weatherTool]);
    let merged: Awaited<ReturnType<typeof model.invoke>> | undefined;
    for await (const chunk of await model.stream('weather in Oslo?')) merged = merged ? merged.concat(chunk) : chunk;
    expect(merged?.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: 'Oslo' } })]);
  });

  it('uses JSON mode for structured output', async () => {
    fake.script('/api/chat', replyJson(chatJson({ model: 'deepseek-v3.1:671b', content: ['{"city":"Rome","population":2800000}'] })));
    const structured = chat('deepseek-v3.1:671b').withStructuredOutput(z.object({ city: z.string(), population: z.number() }), { method: 'jsonMode' });
    const result = await structured.invoke('Describe Rome as JSON with city and population');
    expect(result).toEqual({ city: 'Rome', population: 2800000 });
    expect(lastChat().format).toBe('json');
  });

  it('gets only the answer as content from deepseek-r1, reasoning kept out of it', async () => {
    const reply = await chat('deepseek-r1:7b').invoke('why is the sky blue?');
    expect(reply.content).toBe('Echo: why is the sky blue?');
    expect(String(reply.content)).not.toMatch(/<think>|Thinking/i);
    expect(lastChat().model).toBe('deepseek-r1:7b');
  });
});

describe('LangChain OpenAIEmbeddings against the proxy', () => {
  it('embeds documents and a query', async () => {
    const embeddings = new OpenAIEmbeddings({ model: 'nomic-embed-text', apiKey: KEY, configuration: { baseURL: `${app.url}/v1` }, maxRetries: 0 });
    const vectors = await embeddings.embedDocuments(['alpha', 'beta', 'gamma']);
    expect(vectors).toHaveLength(3);
    expect(vectors[0]).toHaveLength(768);
    expect(vectors[0]).not.toEqual(vectors[1]);
    const query = await embeddings.embedQuery('alpha');
    expect(query).toEqual(vectors[0]);
  });
});

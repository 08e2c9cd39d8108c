import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { embedMany, generateText, jsonSchema, Output, streamText, tool } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatJson, chatLines, replyJson, replyNdjson, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const KEY = 'sk-test-master-key-vercel-ai';
let fake: FakeOllama;
let app: TestApp;
let proxy: ReturnType<typeof createOpenAICompatible>;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY } });
  proxy = createOpenAICompatible({ name: 'proxy', baseURL: `${app.url}/v1`, apiKey: KEY, includeUsage: true });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const weatherInput = jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });
// The SDK runs execute itself once the proxy has returned the call (one step: no second model call).
const tools = () => ({ weather: tool({ description: 'Weather for a city', inputSchema: weatherInput, execute: async ({ city }: { city: string }) => `sunny in ${city}` }) });

describe('Vercel AI SDK (openai-compatible provider) against the proxy', () => {
  it('generates text with usage', async () => {
    const result = await generateText({ model: proxy('deepseek-v3.1:671b'), prompt: 'hello vercel', maxRetries: 0 });
    expect(result.text).toBe('Echo: hello vercel');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });

  it('streams text and reports usage from the usage chunk', async () => {
    const result = streamText({ model: proxy('deepseek-v3.1:671b'), prompt: 'stream me', maxRetries: 0 });
    const parts: string[] = [];
    for await (const delta of result.textStream) parts.push(delta);
    expect(parts.join('')).toBe('Echo: stream me');
    expect(parts.length).toBeGreaterThan(1);
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
  });

  it('surfaces reasoning from deepseek-r1, apart from the text', async () => {
    const result = await generateText({ model: proxy('deepseek-r1:7b'), prompt: 'think first', maxRetries: 0 });
    expect(result.text).toBe('Echo: think first');
    expect(result.reasoningText?.length ?? 0).toBeGreaterThan(0);
    const streamed = streamText({ model: proxy('deepseek-r1:7b'), prompt: 'think again', maxRetries: 0 });
    let reasoning = '';
    for await (const part of streamed.fullStream) if (part.type === 'reasoning-delta') reasoning += part.text;
    expect(reasoning.length).toBeGreaterThan(0);
    expect(await streamed.text).toBe('Echo: think again');
  });

  it('gets tool calls without streaming', async () => {
    fake.script('/api/chat', replyJson(chatJson({ model: 'deepseek-v3.1:671b', toolCalls: [{ name: 'weather', arguments: { city: 'Lima' } }] })));
    const result = await generateText({ model: proxy('deepseek-v3.1:671b'), prompt: 'weather?', tools: tools(), maxRetries: 0 });
    expect(result.toolCalls).toEqual([expect.objectContaining({ toolName: 'weather', input: { city: 'Lima' } })]);
    expect(result.finishReason).toBe('tool-calls');
  });

  it('gets tool calls while streaming', async () => {
    fake.script('/api/chat', replyNdjson(chatLines({ model: 'deepseek-v3.1:671b', toolCalls: [{ name: 'weather', arguments: { city: 'Kyiv' } }] })));
    const result = streamText({ model: proxy('deepseek-v3.1:671b'), prompt: 'weather?', tools: tools(), maxRetries: 0 });
    const calls = await result.toolCalls;
    expect(calls).toEqual([expect.objectContaining({ toolName: 'weather', input: { city: 'Kyiv' } })]);
  });

  it('produces structured JSON output', async () => {
    fake.script('/api/chat', replyJson(chatJson({ model: 'deepseek-v3.1:671b', content: ['{"name":"Ada","age":36}'] })));
    const schema = jsonSchema<{ name: string; age: number }>({ type: 'object', properties: { name: { type: 'string' }, age: { type: 'number' } }, required: ['name', 'age'] });
    // With structured outputs on, the provider sends response_format json_schema, which becomes Ollama's format schema.
    const structured = createOpenAICompatible({ name: 'proxy', baseURL: `${app.url}/v1`, apiKey: KEY, supportsStructuredOutputs: true });
    const result = await generateText({ model: structured('deepseek-v3.1:671b'), prompt: 'a person', output: Output.object({ schema }), maxRetries: 0 });
    expect(result.output).toEqual({ name: 'Ada', age: 36 });
    const sent = fake.requests.filter((request) => request.path === '/api/chat').at(-1)!.body as { format?: unknown };
    expect(sent.format).toMatchObject({ type: 'object', properties: { name: { type: 'string' }, age: { type: 'number' } } });
  });

  it('embeds many values', async () => {
    const { embeddings } = await embedMany({ model: proxy.textEmbeddingModel('nomic-embed-text'), values: ['a', 'b'], maxRetries: 0 });
    expect(embeddings).toHaveLength(2);
    expect(embeddings[0]).toHaveLength(768);
  });
});

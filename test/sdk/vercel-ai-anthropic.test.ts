import { createAnthropic } from '@ai-sdk/anthropic';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatJson, chatLines, replyJson, replyNdjson, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Vercel's AI SDK Anthropic provider (Messages API) against the proxy and the fake Ollama.

const KEY = 'sk-test-master-key-vercel-anthropic';
const MODEL = 'deepseek-v3.1:671b';
let fake: FakeOllama;
let app: TestApp;
let anthropic: ReturnType<typeof createAnthropic>;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, CACHE_POLICY: 'off' } });
  anthropic = createAnthropic({ baseURL: `${app.url}/v1`, apiKey: KEY });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const chatBodies = () => fake.requests.filter((request) => request.path === '/api/chat').map((request) => request.body as { messages: Record<string, unknown>[]; tools?: unknown[] });
const noThinking = { anthropic: { thinking: { type: 'disabled' as const } } };
const weatherInput = jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });
const weather = () => tool({ description: 'Weather for a city', inputSchema: weatherInput, execute: async ({ city }: { city: string }) => `sunny in ${city}` });

describe('Vercel AI SDK (@ai-sdk/anthropic) against the proxy', () => {
  it('generates text with usage and finish reason', async () => {
    const result = await generateText({ model: anthropic(MODEL), prompt: 'hello vercel', maxRetries: 0, providerOptions: noThinking });
    expect(result.text).toBe('Echo: hello vercel');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
  });

  it('streams text deltas', async () => {
    const result = streamText({ model: anthropic(MODEL), prompt: 'stream me', maxRetries: 0, providerOptions: noThinking });
    const parts: string[] = [];
    for await (const delta of result.textStream) parts.push(delta);
    expect(parts.join('')).toBe('Echo: stream me');
    expect(parts.length).toBeGreaterThan(1);
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
  });

  it('surfaces thinking as reasoning', async () => {
    const result = await generateText({
      model: anthropic('deepseek-r1:7b'),
      prompt: 'think first',
      maxRetries: 0,
      providerOptions: { anthropic: { thinking: { type: 'enabled', budgetTokens: 2048 } } },
    });
    expect(result.text).toBe('Echo: think first');
    expect(result.reasoningText?.length ?? 0).toBeGreaterThan(0);
  });

  it('runs a tool round trip with generateText (two model calls)', async () => {
    fake.script('/api/chat', replyJson(chatJson({ model: MODEL, toolCalls: [{ name: 'weather', arguments: { city: 'Lima' } }] })), replyJson(chatJson({ model: MODEL, content: ['It is sunny in Lima.'] })));
    const result = await generateText({ model: anthropic(MODEL), prompt: 'Weather in Lima?', tools: { weather: weather() }, stopWhen: stepCountIs(2), maxRetries: 0, providerOptions: noThinking });
    expect(result.steps[0]!.toolCalls).toEqual([expect.objectContaining({ toolName: 'weather', input: { city: 'Lima' } })]);
    expect(result.text).toBe('It is sunny in Lima.');
    const second = chatBodies()[1]!;
    expect(second.messages.at(-1)).toMatchObject({ role: 'tool', content: 'sunny in Lima', tool_name: 'weather' });
  });

  it('streams a tool call with streamText', async () => {
    fake.script('/api/chat', replyNdjson(chatLines({ model: MODEL, toolCalls: [{ name: 'weather', arguments: { city: 'Kyiv' } }] })));
    const result = streamText({ model: anthropic(MODEL), prompt: 'Kyiv?', tools: { weather: weather() }, maxRetries: 0, providerOptions: noThinking });
    expect(await result.toolCalls).toEqual([expect.objectContaining({ toolName: 'weather', input: { city: 'Kyiv' } })]);
    expect(await result.finishReason).toBe('tool-calls');
  });

  it('reports an unknown model as an API error with status 404', async () => {
    const error = await generateText({ model: anthropic('nope:1b'), prompt: 'x', maxRetries: 0 }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 404 });
    expect(String((error as { responseBody?: string }).responseBody)).toContain('not_found_error');
  });
});

import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The Vercel AI SDK's OpenAI provider in Responses mode (`openai.responses(model)`), which validates every
// response object and stream chunk against its own schemas.

const KEY = 'sk-test-master-key-vercel-responses';
const MODEL = 'deepseek-v3.1:671b';
let fake: FakeOllama;
let app: TestApp;
let openai: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY } });
  openai = createOpenAI({ baseURL: `${app.url}/v1`, apiKey: KEY });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const noThinking = { openai: { reasoningEffort: 'none' } } as const;
const weather = () => ({
  weather: tool({
    description: 'Weather for a city',
    inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
    execute: async ({ city }: { city: string }) => `sunny in ${city}`,
  }),
});

describe('Vercel AI SDK: openai.responses(model) against the proxy', () => {
  it('generates text with usage and the response id', async () => {
    const result = await generateText({ model: openai.responses(MODEL), prompt: 'hello responses', providerOptions: noThinking, maxRetries: 0 });
    expect(result.text).toBe('Echo: hello responses');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.response.id).toMatch(/^resp_/);
  });

  it('streams text deltas', async () => {
    const result = streamText({ model: openai.responses(MODEL), prompt: 'stream responses', providerOptions: noThinking, maxRetries: 0 });
    const parts: string[] = [];
    for await (const delta of result.textStream) parts.push(delta);
    expect(parts.join('')).toBe('Echo: stream responses');
    expect(parts.length).toBeGreaterThan(1);
    expect(await result.finishReason).toBe('stop');
  });

  it("streams DeepSeek-R1's thinking as reasoning", async () => {
    const result = streamText({ model: openai.responses('deepseek-r1:7b'), prompt: 'think first', providerOptions: { openai: { reasoningEffort: 'high', reasoningSummary: 'auto' } }, maxRetries: 0 });
    await result.consumeStream();
    expect(await result.reasoningText).toContain('The user wants');
    expect(await result.text).toBe('Echo: think first');
  });

  it('runs a tool round trip over two steps (function_call, then function_call_output)', async () => {
    const result = await generateText({ model: openai.responses(MODEL), prompt: 'Weather in Rome?', tools: weather(), stopWhen: stepCountIs(2), providerOptions: { openai: { reasoningEffort: 'none', store: false } }, maxRetries: 0 });
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.toolCalls.map((call) => call.toolName)).toEqual(['weather']);
    // The fake model fills the city argument with the prompt's text.
    expect(result.text).toBe('Tool result: sunny in Weather in Rome?');
  });

  it('streams a tool call', async () => {
    const result = streamText({ model: openai.responses(MODEL), prompt: 'Weather in Oslo?', tools: weather(), providerOptions: noThinking, maxRetries: 0 });
    await result.consumeStream();
    const calls = await result.toolCalls;
    expect(calls.map((call) => call.toolName)).toEqual(['weather']);
    expect(await result.finishReason).toBe('tool-calls');
  });

  it('continues a stored conversation with previousResponseId', async () => {
    const first = await generateText({ model: openai.responses(MODEL), prompt: 'My cat is Tom.', providerOptions: noThinking, maxRetries: 0 });
    const second = await generateText({
      model: openai.responses(MODEL),
      prompt: 'Name my cat.',
      providerOptions: { openai: { reasoningEffort: 'none', previousResponseId: first.response.id } },
      maxRetries: 0,
    });
    expect(second.text).toBe('Echo: Name my cat.');
    const sent = fake.requests.filter((request) => request.path === '/api/chat').at(-1)!.body as { messages: { role: string; content: string }[] };
    expect(sent.messages.map((message) => `${message.role}: ${message.content}`)).toEqual(['user: My cat is Tom.', 'assistant: Echo: My cat is Tom.', 'user: Name my cat.']);
  });
});

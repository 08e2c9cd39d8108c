import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatJson, chatLines, replyJson, replyNdjson, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// `parallel_tool_calls: false` (Chat Completions, Responses) and Anthropic's
// `tool_choice.disable_parallel_tool_use: true` become one canonical flag that the Ollama translation honours:
// when the model answers with several tool calls, only the first reaches the client, in JSON and in streams.

const KEY = 'sk-parallel-tool-calls-master';
const MODEL = 'deepseek-v3.1:671b';
const CALLS = [{ name: 'get_weather', arguments: { city: 'Paris' } }, { name: 'get_weather', arguments: { city: 'Oslo' } }];
const PARAMETERS = { type: 'object', properties: { city: { type: 'string' } } } as const;
let fake: FakeOllama;
let app: TestApp;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY } });
  openai = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: KEY, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: app.url, apiKey: KEY, maxRetries: 0 });
});
beforeEach(() => fake.reset());
afterAll(async () => {
  await app.close();
  await fake.close();
});

const scriptJson = () => fake.script('/api/chat', replyJson(chatJson({ model: MODEL, toolCalls: CALLS })));
const scriptStream = () => fake.script('/api/chat', replyNdjson(chatLines({ model: MODEL, toolCalls: CALLS })));
const chatTools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: PARAMETERS } }];

describe('Chat Completions', () => {
  it.each([[false, 1], [true, 2], [undefined, 2]] as const)('parallel_tool_calls %s → %i call(s), non-streamed', async (parallel, count) => {
    scriptJson();
    const completion = await openai.chat.completions.create({
      model: MODEL, messages: [{ role: 'user', content: 'weather?' }], tools: chatTools, ...(parallel === undefined ? {} : { parallel_tool_calls: parallel }),
    });
    const calls = completion.choices[0]!.message.tool_calls!;
    expect(calls).toHaveLength(count);
    expect(calls[0]!.type === 'function' && JSON.parse(calls[0]!.function.arguments)).toEqual({ city: 'Paris' });
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('keeps only the first call in a stream', async () => {
    scriptStream();
    const final = await openai.chat.completions
      .stream({ model: MODEL, messages: [{ role: 'user', content: 'weather?' }], tools: chatTools, parallel_tool_calls: false })
      .finalChatCompletion();
    const calls = final.choices[0]!.message.tool_calls!;
    expect(calls.map((call) => call.type === 'function' && JSON.parse(call.function.arguments))).toEqual([{ city: 'Paris' }]);
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
  });
});

describe('Responses', () => {
  const tools = [{ type: 'function' as const, name: 'get_weather', parameters: PARAMETERS, strict: false }];

  it('keeps only the first function_call, non-streamed, and echoes parallel_tool_calls: false', async () => {
    scriptJson();
    const response = await openai.responses.create({ model: MODEL, input: 'weather?', tools, parallel_tool_calls: false, store: false });
    const calls = response.output.filter((item) => item.type === 'function_call');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.type === 'function_call' && JSON.parse(calls[0]!.arguments)).toEqual({ city: 'Paris' });
    expect(response.parallel_tool_calls).toBe(false);
  });

  it('keeps both when parallel calls are allowed, and only the first in a stream when not', async () => {
    scriptJson();
    const both = await openai.responses.create({ model: MODEL, input: 'weather?', tools, store: false });
    expect(both.output.filter((item) => item.type === 'function_call')).toHaveLength(2);
    scriptStream();
    const stream = openai.responses.stream({ model: MODEL, input: 'weather?', tools, parallel_tool_calls: false, store: false });
    const added: string[] = [];
    stream.on('response.output_item.added', (event) => added.push(event.item.type));
    const final = await stream.finalResponse();
    expect(added.filter((type) => type === 'function_call')).toHaveLength(1);
    expect(final.output.filter((item) => item.type === 'function_call')).toHaveLength(1);
  });
});

describe('Anthropic Messages', () => {
  const tools = [{ name: 'get_weather', input_schema: PARAMETERS }];

  it('disable_parallel_tool_use: true → one tool_use block, non-streamed and streamed', async () => {
    scriptJson();
    const message = await anthropic.messages.create({
      model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'weather?' }], tools, tool_choice: { type: 'auto', disable_parallel_tool_use: true },
    });
    expect(message.content.filter((block) => block.type === 'tool_use').map((block) => block.type === 'tool_use' && block.input)).toEqual([{ city: 'Paris' }]);
    expect(message.stop_reason).toBe('tool_use');
    scriptStream();
    const final = await anthropic.messages
      .stream({ model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'weather?' }], tools, tool_choice: { type: 'any', disable_parallel_tool_use: true } })
      .finalMessage();
    expect(final.content.filter((block) => block.type === 'tool_use')).toHaveLength(1);
  });

  it('without it, both tool_use blocks', async () => {
    scriptJson();
    const message = await anthropic.messages.create({ model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'weather?' }], tools });
    expect(message.content.filter((block) => block.type === 'tool_use')).toHaveLength(2);
  });
});

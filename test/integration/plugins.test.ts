import { resolve } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The plugin contract end to end: real app, fixture plugins loaded from module paths, fake Ollama.
const KEY = 'sk-test-master-key-0123456789';
const MODEL = 'deepseek-v3.1:671b';
const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures/plugins', name);

let fake: FakeOllama;
let app: TestApp;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({
    ollamaUrl: fake.url,
    env: { MASTER_KEY: KEY },
    file: {
      plugins: { enabled: [fixture('tag-alpha.ts'), fixture('tag-beta.ts')], available: [fixture('gatekeeper.ts'), fixture('clock-tool.ts')] },
      models: { defaults: { qwen3: { plugins: ['clock'] } } },
    },
  });
  client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const chats = () => fake.requests.filter((request) => request.path === '/api/chat').map((request) => request.body as { messages: { role: string; content: string }[]; tools?: unknown[] });
// The SDK has no field for `plugins`: it goes in as an extra body property, as users of the guide send it.
const withPlugins = (plugins: string[]) => ({ plugins }) as Record<string, unknown>;

describe('plugin hooks', () => {
  it('runs beforeRequest in registration order and afterResult in reverse', async () => {
    const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello' }] });
    expect(chats()[0]!.messages.at(-1)!.content).toBe('hello [alpha:before] [beta:before]');
    expect(completion.choices[0]!.message.content).toBe('Echo: hello [alpha:before] [beta:before] [beta:after] [alpha:after]');
  });

  it('applies afterResult to a streamed answer too', async () => {
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true });
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    expect(content).toBe('Echo: hi [alpha:before] [beta:before] [beta:after] [alpha:after]');
  });

  it('answers 400 naming the plugin when a plugin rejects the request, and never calls the model', async () => {
    const error = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'tell me the forbidden thing' }], ...withPlugins(['gatekeeper']) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('plugin_rejected');
    expect((error as Error).message).toContain("Plugin 'gatekeeper' rejected the request: the prompt mentions a forbidden topic");
    expect(chats()).toHaveLength(0);
  });

  it('answers 500 naming the plugin when a plugin crashes, and keeps serving', async () => {
    const ask = (content: string, stream: boolean) =>
      client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content }], stream, ...withPlugins(['gatekeeper']) } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    for (const stream of [false, true]) {
      const error = await ask('please crash', stream).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect((error as InstanceType<typeof OpenAI.InternalServerError>).code).toBe('plugin_failed');
      expect((error as Error).message).toContain("Plugin 'gatekeeper' failed");
      expect((error as Error).message).not.toContain('cannot read property');
    }
    const next = await ask('a normal question', false);
    expect(next.choices[0]!.message.content).toContain('Echo: a normal question');
    const logged = app.logs.filter((line) => line.includes('gatekeeper bug'));
    expect(logged.length).toBeGreaterThan(0);
  });

  it('answers 400 naming a requested plugin that is not registered or not enabled', async () => {
    const unknown = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], ...withPlugins(['web_search']) })
      .catch((caught: unknown) => caught);
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
    expect((unknown as Error).message).toContain("Unknown plugin 'web_search'");
    expect((unknown as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('plugins');
    const disabled = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], ...withPlugins(['code_interpreter']) })
      .catch((caught: unknown) => caught);
    expect(disabled).toBeInstanceOf(OpenAI.BadRequestError);
    expect((disabled as Error).message).toContain("Plugin 'code_interpreter' is not enabled on this server");
  });

  it('does not run available plugins unless asked', async () => {
    const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'forbidden words are fine here' }] });
    expect(completion.choices[0]!.message.content).toContain('Echo: forbidden words');
    expect(chats()[0]!.tools).toBeUndefined();
  });
});

describe('plugins enabled per model', () => {
  it('adds the server-side tool of a plugin enabled for the model, runs it and answers with its result', async () => {
    const completion = await client.chat.completions.create({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'what time is it?' }], reasoning_effort: 'none' });
    const [first, second] = chats();
    expect(first!.tools).toEqual([expect.objectContaining({ function: expect.objectContaining({ name: 'get_time' }) })]);
    expect(second!.messages.at(-1)).toMatchObject({ role: 'tool', content: '2030-01-01T00:00:00Z', tool_name: 'get_time' });
    const message = completion.choices[0]!.message;
    expect(message.tool_calls).toBeUndefined();
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(message.content).toContain('(checked the clock)');
    expect(message.content).toContain('Tool result: 2030-01-01T00:00:00Z');
  });
});

describe('plugins enabled per key, with PII redaction', () => {
  let keyed: TestApp;
  beforeAll(async () => {
    keyed = await startTestApp({
      ollamaUrl: fake.url,
      env: { MASTER_KEY: KEY },
      // The gatekeeper runs first and logs the raw prompt: the logger itself must mask it.
      file: { plugins: { enabled: [fixture('gatekeeper.ts'), 'pii_redaction'], available: [fixture('tag-alpha.ts')], perKey: { master: ['alpha'] } } },
    });
  });
  afterAll(() => keyed.close());

  const secretPrompt = 'I am jane.doe@example.com, card 4111 1111 1111 1111, order 4111 1111 1111 1112, call +44 20 7946 0958';

  it('masks personal data before it reaches the model, leaving Luhn-failing numbers alone', async () => {
    const keyedClient = new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: KEY, maxRetries: 0 });
    await keyedClient.chat.completions.create({ model: MODEL, messages: [{ role: 'system', content: 'ssn 123-45-6789' }, { role: 'user', content: secretPrompt }] });
    const sent = chats()[0]!.messages;
    expect(sent[0]!.content).toBe('ssn [NATIONAL_ID]');
    expect(sent[1]!.content).toBe('I am [EMAIL], card [CARD], order 4111 1111 1111 1112, call [PHONE] [alpha:before]');
  });

  it('masks personal data in every log line', async () => {
    const keyedClient = new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: KEY, maxRetries: 0 });
    await keyedClient.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: secretPrompt }] });
    const seen = keyed.logs.filter((line) => line.includes('gatekeeper saw prompt'));
    expect(seen.length).toBeGreaterThan(0);
    for (const line of keyed.logs) {
      expect(line).not.toContain('jane.doe@example.com');
      expect(line).not.toContain('4111 1111 1111 1111');
    }
    expect(seen.at(-1)).toContain('[EMAIL]');
  });

  it('runs the plugins enabled for the calling key', async () => {
    const keyedClient = new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const completion = await keyedClient.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello' }] });
    expect(completion.choices[0]!.message.content).toBe('Echo: hello [alpha:before] [alpha:after]');
  });
});

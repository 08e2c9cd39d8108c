import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatJson, chatLines, hang, replyJson, replyNdjson, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The official Anthropic SDK against the proxy (real HTTP, real pipeline) and the fake Ollama.

const KEY = 'sk-test-master-key-anthropic-sdk';
const MODEL = 'deepseek-v3.1:671b';
let fake: FakeOllama;
let app: TestApp;
let client: Anthropic;

beforeAll(async () => {
  fake = await startFakeOllama();
  // An alias as Claude Code users configure one (CONFIG_FILE models.aliases), and a context size for one family.
  app = await startTestApp({
    ollamaUrl: fake.url,
    env: { MASTER_KEY: KEY, CACHE_POLICY: 'off' },
    file: { models: { aliases: { 'claude-test-alias': MODEL }, defaults: { 'deepseek-r1:32b': { options: { num_ctx: 8192 } } } } },
  });
  client = new Anthropic({ baseURL: app.url, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const chatRequests = () => fake.requests.filter((request) => request.path === '/api/chat');
const lastChat = () => chatRequests().at(-1)!.body as { messages: Record<string, unknown>[]; options?: Record<string, unknown>; think?: unknown; tools?: unknown[]; stream: boolean };

type ApiError = InstanceType<typeof Anthropic.APIError>;

// deepseek-v3.1 thinks unless told not to; tests about text alone turn thinking off.
const NO_THINKING = { thinking: { type: 'disabled' } } as const;

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('@anthropic-ai/sdk: messages.create', () => {
  it('answers with a message object: text block, end_turn, usage, msg_ id and request id', async () => {
    const message = await client.messages.create({ model: MODEL, max_tokens: 256, ...NO_THINKING, messages: [{ role: 'user', content: 'hello claude' }] });
    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: MODEL, stop_reason: 'end_turn', stop_sequence: null });
    expect(message.id).toMatch(/^msg_[A-Za-z0-9]{24}$/);
    expect(message.content).toEqual([{ type: 'text', text: 'Echo: hello claude' }]);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(message._request_id).toMatch(/^req_/);
    expect(lastChat()).toMatchObject({ model: MODEL, stream: false, options: { num_predict: 256 } });
  });

  it('sends system text, sampling and an in-place system message to Ollama (stop sequences are matched by the proxy)', async () => {
    await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
      // This SDK version no longer declares the sampling fields; older SDKs and Vercel's provider send them.
      ...({ temperature: 0.2, top_p: 0.9, top_k: 40 } as object),
      stop_sequences: ['END'],
      metadata: { user_id: '{"session":"abc"}' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'first' }, { type: 'text', text: 'second' }] },
        { role: 'assistant', content: 'ok' },
        { role: 'system', content: 'Environment: linux' } as unknown as Anthropic.MessageParam,
        { role: 'user', content: 'go' },
      ],
    });
    const sent = lastChat();
    expect(sent.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'first\nsecond' },
      { role: 'assistant', content: 'ok' },
      { role: 'system', content: 'Environment: linux' },
      { role: 'user', content: 'go' },
    ]);
    expect(sent.options).toEqual({ temperature: 0.2, top_p: 0.9, top_k: 40, num_predict: 100 });
  });

  it('passes base64 images to Ollama as images', async () => {
    const data = Buffer.from('fake png bytes').toString('base64');
    await client.messages.create({
      model: MODEL,
      max_tokens: 50,
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data } }, { type: 'text', text: 'what is this?' }] }],
    });
    expect(lastChat().messages).toEqual([{ role: 'user', content: 'what is this?', images: [data] }]);
  });

  it('accepts max_tokens 128000 (Claude Code) and clamps it to the configured num_ctx', async () => {
    // Streamed, as Claude Code asks (the SDK refuses so large a max_tokens without streaming).
    await client.messages.stream({ model: 'deepseek-r1:32b', max_tokens: 128_000, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
    expect(lastChat().options).toMatchObject({ num_ctx: 8192, num_predict: 8192 });
    await client.messages.stream({ model: MODEL, max_tokens: 128_000, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
    expect(lastChat().options).toMatchObject({ num_predict: 128_000 });
  });

  it('resolves a configured alias and echoes the requested name', async () => {
    const message = await client.messages.create({ model: 'claude-test-alias', max_tokens: 20, messages: [{ role: 'user', content: 'alias' }] });
    expect(message.model).toBe('claude-test-alias');
    expect(lastChat()).toMatchObject({ model: MODEL });
  });

  it('reports max_tokens when Ollama stops at the length limit', async () => {
    fake.script('/api/chat', replyJson(chatJson({ model: MODEL, content: ['cut'], doneReason: 'length' })));
    const message = await client.messages.create({ model: MODEL, max_tokens: 1, messages: [{ role: 'user', content: 'long' }] });
    expect(message.stop_reason).toBe('max_tokens');
  });
});

describe('@anthropic-ai/sdk: thinking', () => {
  it('returns DeepSeek-R1 reasoning as a signed thinking block before the text', async () => {
    const message = await client.messages.create({
      model: 'deepseek-r1:7b',
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'think first' }],
    });
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    const thinking = message.content[0] as Anthropic.ThinkingBlock;
    expect(thinking.thinking.length).toBeGreaterThan(0);
    expect(thinking.signature.length).toBeGreaterThan(0);
    expect(lastChat().think).toBe(true);
  });

  it('turns thinking off with type disabled', async () => {
    const message = await client.messages.create({ model: 'deepseek-r1:7b', max_tokens: 200, thinking: { type: 'disabled' }, messages: [{ role: 'user', content: 'quick' }] });
    expect(message.content.map((block) => block.type)).toEqual(['text']);
    expect(lastChat().think).toBe(false);
  });

  it('serves adaptive thinking on a model without the thinking capability (as Claude Code sends it)', async () => {
    const message = await client.messages.create({ model: 'deepseek-coder-v2:16b', max_tokens: 50, thinking: { type: 'adaptive' }, output_config: { effort: 'high' }, messages: [{ role: 'user', content: 'plain' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Echo: plain' }]);
  });

  // DeepSeek's rule (issue 16): the thinking of a turn that called tools goes back while that tool round is open;
  // the thinking of a finished turn is dropped.
  it('sends the thinking of an open tool round back as the assistant reasoning', async () => {
    // A thinking block this proxy signed (the signature is checked: see anthropic-thinking-signature.test.ts).
    fake.script('/api/chat', replyJson(chatJson({ model: 'deepseek-v3.1:671b', thinking: ['earlier thought'], toolCalls: [{ name: 'lookup', arguments: { q: 'x' } }] })));
    const first = await client.messages.create({ model: 'deepseek-v3.1:671b', max_tokens: 200, messages: [{ role: 'user', content: 'a' }] });
    const signature = (first.content[0] as Anthropic.ThinkingBlock).signature;
    await client.messages.create({
      model: 'deepseek-v3.1:671b',
      max_tokens: 200,
      thinking: { type: 'adaptive' },
      messages: [
        { role: 'user', content: 'a' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'earlier thought', signature },
            { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'x' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'found' }] },
      ],
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
    });
    expect(lastChat().messages[1]).toMatchObject({ role: 'assistant', thinking: 'earlier thought' });
  });

  it('drops the thinking of a finished turn, as DeepSeek does', async () => {
    await client.messages.create({
      model: 'deepseek-r1:7b',
      max_tokens: 200,
      thinking: { type: 'adaptive' },
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'earlier thought', signature: 'sig' }, { type: 'text', text: 'b' }] },
        { role: 'user', content: 'c' },
      ],
    });
    expect(lastChat().messages[1]).toEqual({ role: 'assistant', content: 'b' });
  });

  it('streams thinking_delta then a signature_delta, and finalMessage() holds both blocks', async () => {
    const stream = client.messages.stream({ model: 'deepseek-r1:7b', max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [{ role: 'user', content: 'ponder' }] });
    let thinking = '';
    let signature = '';
    stream.on('thinking', (delta) => (thinking += delta));
    stream.on('signature', (value) => (signature = value));
    const message = await stream.finalMessage();
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    expect((message.content[0] as Anthropic.ThinkingBlock).thinking).toBe(thinking);
    expect(thinking.length).toBeGreaterThan(0);
    expect(signature.length).toBeGreaterThan(0);
  });

  it('omits the thinking text with display "omitted" (the model still thinks by default under adaptive)', async () => {
    const message = await client.messages.create({
      model: 'deepseek-r1:7b',
      max_tokens: 2000,
      thinking: { type: 'adaptive', display: 'omitted' },
      output_config: { effort: 'medium' },
      messages: [{ role: 'user', content: 'secret thoughts' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'thinking', thinking: '' });
    // adaptive leaves thinking to the model: no think sent (models without the capability would refuse it).
    expect(lastChat()).not.toHaveProperty('think');
  });
});

describe('@anthropic-ai/sdk: messages.stream', () => {
  it('streams text with the event helpers, and finalMessage() matches', async () => {
    const stream = client.messages.stream({ model: MODEL, max_tokens: 256, ...NO_THINKING, messages: [{ role: 'user', content: 'stream please' }] });
    const events: string[] = [];
    let text = '';
    stream.on('streamEvent', (event) => events.push(event.type));
    stream.on('text', (delta) => (text += delta));
    const message = await stream.finalMessage();
    expect(text).toBe('Echo: stream please');
    expect(message.content).toEqual([{ type: 'text', text: 'Echo: stream please' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(events[0]).toBe('message_start');
    expect(events[1]).toBe('content_block_start');
    expect(events.filter((type) => type === 'content_block_delta').length).toBeGreaterThan(1);
    expect(events.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(lastChat().stream).toBe(true);
  });

  it('iterates raw events with stream: true', async () => {
    const stream = await client.messages.create({ model: MODEL, max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'raw' }] });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
  });

  it('raises an APIError from an error event when Ollama fails mid-stream', async () => {
    fake.script('/api/chat', { kind: 'midstream-error', lines: chatLines({ model: MODEL, content: ['partial'] }).slice(0, 1), message: 'model runner crashed' });
    const stream = client.messages.stream({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'x' }] });
    const error = await stream.finalMessage().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as ApiError).message).toMatch(/model runner crashed/);
    expect((error as ApiError).type).toBe('api_error');
  });

  it('aborting the stream cancels the upstream generation', async () => {
    fake.script('/api/chat', { kind: 'ndjson', lines: chatLines({ model: MODEL, content: Array.from({ length: 200 }, () => 'tok ') }), delayMs: 20 });
    const stream = client.messages.stream({ model: MODEL, max_tokens: 1000, messages: [{ role: 'user', content: 'long' }] });
    let seen = 0;
    stream.on('text', () => {
      if (++seen === 3) stream.abort();
    });
    await stream.done().catch(() => undefined);
    await expect.poll(() => fake.closedRequests, { timeout: 2000 }).toBe(1);
  });
});

describe('@anthropic-ai/sdk: tools', () => {
  it('round-trips a tool call: tool_use with a toolu_ id, then the tool_result reaches Ollama as a tool message', async () => {
    fake.script('/api/chat', replyJson(chatJson({ model: MODEL, content: ['Let me check.'], toolCalls: [{ name: 'get_weather', arguments: { city: 'Lima' } }] })));
    const first = await client.messages.create({ model: MODEL, max_tokens: 500, tools: [weatherTool], tool_choice: { type: 'auto' }, messages: [{ role: 'user', content: 'Weather in Lima?' }] });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content.map((block) => block.type)).toEqual(['text', 'tool_use']);
    const use = first.content[1] as Anthropic.ToolUseBlock;
    expect(use).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Lima' } });
    expect(use.id).toMatch(/^toolu_/);
    expect(lastChat().tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: weatherTool.input_schema } }]);

    const second = await client.messages.create({
      model: MODEL,
      max_tokens: 500,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Lima?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny, 24°C' }] },
      ],
    });
    expect(second.stop_reason).toBe('end_turn');
    const sent = lastChat().messages;
    expect(sent[1]).toMatchObject({ role: 'assistant', content: 'Let me check.', tool_calls: [{ id: use.id, function: { name: 'get_weather', arguments: { city: 'Lima' } } }] });
    expect(sent[2]).toEqual({ role: 'tool', content: 'sunny, 24°C', tool_name: 'get_weather', tool_call_id: use.id });
  });

  it('marks a failed tool result for the model and keeps text sent beside it', async () => {
    await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'run it' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'false' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'exit 1' }], is_error: true }, { type: 'text', text: 'try again' }] },
      ],
    });
    const sent = lastChat().messages;
    expect(sent.slice(2)).toEqual([
      { role: 'tool', content: 'Error: exit 1', tool_name: 'Bash', tool_call_id: 'toolu_1' },
      { role: 'user', content: 'try again' },
    ]);
  });

  it('streams a tool call as content_block_start + input_json_delta; finalMessage() has the parsed input', async () => {
    fake.script('/api/chat', replyNdjson(chatLines({ model: MODEL, toolCalls: [{ name: 'get_weather', arguments: { city: 'Kyiv' } }] })));
    const stream = client.messages.stream({ model: MODEL, max_tokens: 500, tools: [weatherTool], tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'Kyiv?' }] });
    const json: string[] = [];
    stream.on('inputJson', (partial) => json.push(partial));
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([expect.objectContaining({ type: 'tool_use', name: 'get_weather', input: { city: 'Kyiv' } })]);
    expect(json.join('')).toBe('{"city":"Kyiv"}');
  });

  it('refuses server tools it cannot run, naming the tool type', async () => {
    const error = await client.messages
      .create({ model: MODEL, max_tokens: 10, tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as ApiError).message).toMatch(/tools\.0\.type: tool type 'web_search_20250305' is not supported/);
  });
});

describe('@anthropic-ai/sdk: countTokens and models', () => {
  it('counts input tokens; more text and tools count more', async () => {
    const small = await client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
    const large = await client.messages.countTokens({ model: MODEL, system: 'You are a helpful assistant.', messages: [{ role: 'user', content: 'hi '.repeat(400) }] });
    const withTools = await client.messages.countTokens({ model: MODEL, tools: [weatherTool], messages: [{ role: 'user', content: 'hi' }] });
    expect(small.input_tokens).toBeGreaterThan(0);
    expect(large.input_tokens).toBeGreaterThan(small.input_tokens + 200);
    expect(withTools.input_tokens).toBeGreaterThan(small.input_tokens);
    expect(chatRequests()).toHaveLength(0);
  });

  it('learns the characters per token from the prompts Ollama counted', async () => {
    const text = 'calibrate '.repeat(100);
    const before = await client.messages.countTokens({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: text }] });
    fake.script('/api/chat', replyJson(chatJson({ model: 'deepseek-r1:7b', content: ['ok'], promptEvalCount: 500 })));
    await client.messages.create({ model: 'deepseek-r1:7b', max_tokens: 10, messages: [{ role: 'user', content: text }] });
    const after = await client.messages.countTokens({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: text }] });
    expect(after.input_tokens).toBeGreaterThan(before.input_tokens);
  });

  it('lists models in Anthropic shape for the Anthropic SDK, with paging', async () => {
    const page = await client.models.list({ limit: 2 });
    expect(page.data).toHaveLength(2);
    expect(page.data[0]).toEqual({ type: 'model', id: expect.any(String), display_name: expect.any(String), created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
    expect(page.has_more).toBe(true);
    const all: string[] = [];
    for await (const model of client.models.list({ limit: 2 })) all.push(model.id);
    expect(all).toContain(MODEL);
    expect(all).toContain('claude-test-alias');
    expect(new Set(all).size).toBe(all.length);
    const one = await client.models.retrieve(MODEL);
    expect(one).toMatchObject({ type: 'model', id: MODEL });
  });

  it('keeps the OpenAI shape for the openai SDK (no anthropic-version)', async () => {
    const openai = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const page = await openai.models.list();
    expect(page.data.map((model) => model.id)).toContain(MODEL);
    expect(page.data[0]).toEqual({ id: expect.any(String), object: 'model', created: expect.any(Number), owned_by: expect.any(String) });
    const bad = await new OpenAI({ baseURL: `${app.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 }).models.list().catch((caught: unknown) => caught);
    expect((bad as InstanceType<typeof OpenAI.AuthenticationError>).error).toMatchObject({ code: 'invalid_api_key' });
  });
});

describe('@anthropic-ai/sdk: errors', () => {
  it('raises BadRequestError (invalid_request_error) when max_tokens is missing', async () => {
    const error = await client.messages.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as ApiError).type).toBe('invalid_request_error');
    expect((error as ApiError).message).toMatch(/max_tokens: Field required/);
    expect((error as ApiError).error).toMatchObject({ type: 'error', request_id: expect.stringMatching(/^req_/) });
  });

  it('raises AuthenticationError for a wrong x-api-key', async () => {
    const bad = new Anthropic({ baseURL: app.url, apiKey: 'sk-wrong', maxRetries: 0 });
    const error = await bad.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as ApiError).type).toBe('authentication_error');
    const models = await bad.models.list().catch((caught: unknown) => caught);
    expect(models).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((models as ApiError).type).toBe('authentication_error');
  });

  it('accepts the key as a Bearer token too (ANTHROPIC_AUTH_TOKEN)', async () => {
    const bearer = new Anthropic({ baseURL: app.url, authToken: KEY, apiKey: null, maxRetries: 0 });
    const message = await bearer.messages.create({ model: MODEL, max_tokens: 50, ...NO_THINKING, messages: [{ role: 'user', content: 'bearer' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Echo: bearer' }]);
  });

  it('raises PermissionDeniedError (permission_error) for a key without the chat scope or the model', async () => {
    const createKey = async (settings: Record<string, unknown>) => {
      const res = await fetch(`${app.url}/api/v1/keys`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(settings) });
      return ((await res.json()) as { secret: string }).secret;
    };
    const readOnly = new Anthropic({ baseURL: app.url, apiKey: await createKey({ name: 'read-only', scopes: ['models:read'] }), maxRetries: 0 });
    const noScope = await readOnly.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
    expect(noScope).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((noScope as ApiError).type).toBe('permission_error');
    const r1Only = new Anthropic({ baseURL: app.url, apiKey: await createKey({ name: 'r1-only', scopes: ['chat'], models: ['deepseek-r1:7b'] }), maxRetries: 0 });
    const otherModel = await r1Only.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
    expect(otherModel).toBeInstanceOf(Anthropic.PermissionDeniedError);
  });

  it('raises NotFoundError (not_found_error) for an unknown model, streaming or not', async () => {
    const error = await client.messages.create({ model: 'nope:1b', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as ApiError).type).toBe('not_found_error');
    const streamed = await client.messages.stream({ model: 'nope:1b', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).finalMessage().catch((caught: unknown) => caught);
    expect(streamed).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('answers unknown /v1/messages paths and unparsable bodies in Anthropic shape', async () => {
    const unknown = await fetch(`${app.url}/v1/messages/batches`, { headers: { 'x-api-key': KEY } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    const broken = await fetch(`${app.url}/v1/messages?beta=true`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: '{"model":' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/not valid JSON/) } });
  });

  it('answers a body over the size limit with request_too_large (413)', async () => {
    const small = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, BODY_LIMIT: '1kb' } });
    try {
      const smallClient = new Anthropic({ baseURL: small.url, apiKey: KEY, maxRetries: 0 });
      const error = await smallClient.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x'.repeat(4096) }] }).catch((caught: unknown) => caught);
      expect((error as ApiError).status).toBe(413);
      expect((error as ApiError).type).toBe('request_too_large');
    } finally {
      await small.close();
    }
  });

  it('sends ping events while the model loads', async () => {
    const slow = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, HEARTBEAT_MS: '40' } });
    try {
      fake.script('/api/chat', hang());
      const controller = new AbortController();
      const res = await fetch(`${slow.url}/v1/messages`, {
        method: 'POST',
        signal: controller.signal,
        headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = res.body!.getReader();
      const { value } = await reader.read();
      expect(new TextDecoder().decode(value)).toBe('event: ping\ndata: {"type": "ping"}\n\n');
      controller.abort();
      await expect.poll(() => fake.closedRequests, { timeout: 2000 }).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('sends ping events while the model thinks with display "omitted"', async () => {
    const slow = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, HEARTBEAT_MS: '40' } });
    try {
      const thinking = Array.from({ length: 12 }, () => 'hmm ');
      fake.script('/api/chat', { kind: 'ndjson', lines: chatLines({ model: 'deepseek-r1:7b', thinking, content: ['done'] }), delayMs: 40 });
      const res = await fetch(`${slow.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'deepseek-r1:7b', max_tokens: 100, stream: true, thinking: { type: 'adaptive', display: 'omitted' }, messages: [{ role: 'user', content: 'x' }] }),
      });
      const text = await res.text();
      const thinkingStart = text.indexOf('"content_block":{"type":"thinking"');
      const textStart = text.indexOf('"content_block":{"type":"text"');
      expect(thinkingStart).toBeGreaterThan(0);
      expect(text.slice(thinkingStart, textStart)).toContain('event: ping');
      expect(text).not.toContain('thinking_delta');
      expect(text).toContain('signature_delta');
    } finally {
      await slow.close();
    }
  });

  it('raises RateLimitError (rate_limit_error) when the key is over its request limit', async () => {
    const limited = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY }, file: { rateLimit: { tiers: { master: { requestsPerMinute: 1 } } } } });
    try {
      // MASTER_KEY has its own tier (unlimited unless configured, issue 17): limit that one.
      const limitedClient = new Anthropic({ baseURL: limited.url, apiKey: KEY, maxRetries: 0 });
      await limitedClient.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'one' }] });
      const error = await limitedClient.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'two' }] }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.RateLimitError);
      expect((error as ApiError).type).toBe('rate_limit_error');
      expect((error as ApiError).headers?.get('retry-after')).toBeTruthy();
    } finally {
      await limited.close();
    }
  });
});

describe('@anthropic-ai/sdk: the shared pipeline (cache, sessions)', () => {
  let cached: TestApp;
  let cachedClient: Anthropic;
  beforeAll(async () => {
    cached = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY } });
    cachedClient = new Anthropic({ baseURL: cached.url, apiKey: KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await cached.close();
  });

  it('answers a repeated deterministic request from the response cache, reporting cache_read_input_tokens', async () => {
    const params = { model: MODEL, max_tokens: 50, ...NO_THINKING, ...({ temperature: 0 } as object), messages: [{ role: 'user' as const, content: 'cache me' }] };
    const first = await cachedClient.messages.create(params).withResponse();
    const second = await cachedClient.messages.create(params).withResponse();
    expect(first.response.headers.get('x-cache')).toBe('MISS');
    expect(second.response.headers.get('x-cache')).toBe('HIT');
    expect(chatRequests()).toHaveLength(1);
    expect(second.data.content).toEqual(first.data.content);
    expect(first.data.usage.cache_read_input_tokens).toBeUndefined();
    expect(second.data.usage).toMatchObject({ input_tokens: 0, cache_read_input_tokens: first.data.usage.input_tokens });
  });

  it('remembers a conversation under x-session-id', async () => {
    const headers = { 'x-session-id': `anthropic-${Date.now()}` };
    await cachedClient.messages.create({ model: MODEL, max_tokens: 50, ...NO_THINKING, messages: [{ role: 'user', content: 'my name is Ada' }] }, { headers });
    await cachedClient.messages.create({ model: MODEL, max_tokens: 50, ...NO_THINKING, messages: [{ role: 'user', content: 'what is my name?' }] }, { headers });
    expect(lastChat().messages.map((message) => message.content)).toEqual(['my name is Ada', 'Echo: my name is Ada', 'what is my name?']);
  });
});

describe('@anthropic-ai/sdk: observability', () => {
  it('counts Messages calls in the metrics and records them in the audit log with their tokens', async () => {
    const stream = client.messages.stream({ model: MODEL, max_tokens: 50, ...NO_THINKING, messages: [{ role: 'user', content: 'observe me' }] });
    const { request_id: requestId } = await stream.withResponse();
    const message = await stream.finalMessage();
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/proxy_http_requests_total\{[^}]*route="\/v1\/messages"[^}]*\} [1-9]/);
    const audit = await fetch(`${app.url}/api/v1/audit?limit=100`, { headers: { authorization: `Bearer ${KEY}` } });
    const entries = ((await audit.json()) as { data: { route: string; request_id: string; prompt_tokens: number; completion_tokens: number }[] }).data;
    expect(entries.find((entry) => entry.request_id === requestId)).toMatchObject({
      route: 'POST /v1/messages',
      prompt_tokens: message.usage.input_tokens,
      completion_tokens: message.usage.output_tokens,
    });
  });
});

describe('@anthropic-ai/sdk: plugins and the server-side tool loop', () => {
  let withPlugins: TestApp;
  beforeAll(async () => {
    withPlugins = await startTestApp({
      ollamaUrl: fake.url,
      env: { MASTER_KEY: KEY, CACHE_POLICY: 'off' },
      file: {
        plugins: { available: [resolve(import.meta.dirname, '../fixtures/plugins/clock-tool.ts')] },
        models: { defaults: { 'deepseek-v3.1': { plugins: ['clock'] } } },
      },
    });
  });
  afterAll(async () => {
    await withPlugins.close();
  });

  it("runs a plugin's tool inside the call: the client sees only the final answer", async () => {
    fake.script('/api/chat', replyJson(chatJson({ model: MODEL, toolCalls: [{ name: 'get_time', arguments: {} }] })));
    const pluginClient = new Anthropic({ baseURL: withPlugins.url, apiKey: KEY, maxRetries: 0 });
    const message = await pluginClient.messages.create({ model: MODEL, max_tokens: 200, ...NO_THINKING, messages: [{ role: 'user', content: 'what time is it?' }] });
    expect(message.content.map((block) => block.type)).toEqual(['text']);
    expect(message.stop_reason).toBe('end_turn');
    const [first, second] = chatRequests().map((request) => request.body as { tools?: { function: { name: string } }[]; messages: Record<string, unknown>[] });
    expect(first!.tools?.map((tool) => tool.function.name)).toEqual(['get_time']);
    expect(second!.messages.at(-1)).toMatchObject({ role: 'tool', content: '2030-01-01T00:00:00Z', tool_name: 'get_time' });
  });
});

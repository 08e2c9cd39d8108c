import OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../src/core/errors.js';
import { ALL_SCOPES } from '../../src/core/principal.js';
import type { Authenticator } from '../../src/http/middleware/authenticate.js';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The official openai SDK's Responses client against the proxy and the fake Ollama.

const TOOL_MODEL = 'deepseek-v3.1:671b';
const R1 = 'deepseek-r1:7b';
const authenticator: Authenticator = (credential) => {
  if (credential !== 'alice' && credential !== 'bob') throw new AuthenticationError();
  return { id: credential, kind: 'api-key', scopes: ALL_SCOPES };
};
let fake: FakeOllama;
let app: TestApp;
let alice: OpenAI;
let bob: OpenAI;
beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, overrides: { authenticator } });
  alice = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: 'alice', maxRetries: 0 });
  bob = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: 'bob', maxRetries: 0 });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

interface SentChat {
  messages: { role: string; content: string; thinking?: string; tool_calls?: unknown[]; tool_name?: string }[];
  tools?: { function: { name: string } }[];
  think?: unknown;
  options?: Record<string, unknown>;
  format?: unknown;
}
const lastSent = (): SentChat => fake.requests.filter((r) => r.path === '/api/chat').at(-1)!.body as SentChat;

describe('openai SDK: responses.create', () => {
  it('answers a string input with a completed response whose output_text the SDK assembles', async () => {
    const response = await alice.responses.create({ model: TOOL_MODEL, input: 'Hello there', instructions: 'Be brief.', reasoning: { effort: 'none' } });
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: TOOL_MODEL, instructions: 'Be brief.', error: null, incomplete_details: null });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output_text).toBe('Echo: Hello there');
    expect(response.output).toEqual([
      { type: 'message', id: expect.stringMatching(/^msg_/), role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Echo: Hello there', annotations: [], logprobs: [] }] },
    ]);
    expect(response.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number), input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } });
    expect(response.usage!.total_tokens).toBe(response.usage!.input_tokens + response.usage!.output_tokens);
    expect(lastSent().messages.map((m) => `${m.role}: ${m.content}`)).toEqual(['system: Be brief.', 'user: Hello there']);
    expect(lastSent().think).toBe(false);
  });

  it("returns DeepSeek-R1's thinking as a reasoning item before the message", async () => {
    const response = await alice.responses.create({ model: R1, input: 'What is 2+2?', reasoning: { effort: 'high' } });
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    const reasoning = response.output[0] as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.summary[0]!.text).toContain('The user wants');
    expect(reasoning.content?.[0]).toEqual({ type: 'reasoning_text', text: reasoning.summary[0]!.text });
    expect(response.output_text).toBe('Echo: What is 2+2?');
    // R1 takes thinking as on/off; a model with levels gets the level (the dialect decides, not this route).
    expect([true, 'high']).toContain(lastSent().think);
  });

  it('reports a response cut by max_output_tokens as incomplete', async () => {
    const response = await alice.responses.create({ model: TOOL_MODEL, input: 'a long answer please', max_output_tokens: 2, reasoning: { effort: 'none' } });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(lastSent().options?.num_predict).toBe(2);
  });

  it('maps text.format json_schema to Ollama format', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const response = await alice.responses.create({ model: TOOL_MODEL, input: 'where?', text: { format: { type: 'json_schema', name: 'place', schema } }, reasoning: { effort: 'none' } });
    expect(lastSent().format).toEqual(schema);
    expect(JSON.parse(response.output_text)).toHaveProperty('city');
  });
});

describe('openai SDK: streaming', () => {
  it('streams typed events in order, each with a sequence number, ending in response.completed', async () => {
    const stream = await alice.responses.create({ model: R1, input: 'Stream it', stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
    const types = [...new Set(events.map((event) => event.type))];
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.completed',
    ]);
    const text = events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : [])).join('');
    expect(text).toBe('Echo: Stream it');
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.response.status).toBe('completed');
    expect(completed.response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(completed.response.usage?.output_tokens).toBeGreaterThan(0);
  });

  it('the responses.stream() helper yields the final response', async () => {
    const stream = alice.responses.stream({ model: TOOL_MODEL, input: 'helper', reasoning: { effort: 'none' } });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Echo: helper');
  });

  it('ends a stream that breaks upstream with response.failed, not a silent cut', async () => {
    fake.script('/api/chat', { kind: 'midstream-error', lines: [{ model: TOOL_MODEL, created_at: new Date().toISOString(), message: { role: 'assistant', content: 'Partial' }, done: false }], message: 'model runner crashed' });
    const stream = await alice.responses.create({ model: TOOL_MODEL, input: 'break', stream: true, reasoning: { effort: 'none' } });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const last = events.at(-1) as OpenAI.Responses.ResponseFailedEvent;
    expect(last.type).toBe('response.failed');
    expect(last.sequence_number).toBe(events.length - 1);
    expect(last.response.status).toBe('failed');
    expect(last.response.error).toEqual({ code: 'server_error', message: expect.stringContaining('model runner crashed') });
  });
});

describe('openai SDK: tools', () => {
  const tools: OpenAI.Responses.Tool[] = [
    { type: 'function', name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: false },
    { type: 'web_search' },
  ];

  it('round-trips a function call with function_call_output and warns about the dropped hosted tool', async () => {
    const raw = await alice.responses.create({ model: TOOL_MODEL, input: 'Weather in Paris?', tools, reasoning: { effort: 'none' } }).withResponse();
    expect(raw.response.headers.get('x-proxy-warning')).toContain("hosted tool 'web_search'");
    const first = raw.data;
    expect(lastSent().tools?.map((tool) => tool.function.name)).toEqual(['get_weather']);
    const call = first.output.find((item) => item.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed', id: expect.stringMatching(/^fc_/) });
    expect(JSON.parse(call.arguments)).toHaveProperty('city');

    const second = await alice.responses.create({
      model: TOOL_MODEL,
      input: [{ role: 'user', content: 'Weather in Paris?' }, call, { type: 'function_call_output', call_id: call.call_id, output: '18°C and sunny' }],
      tools,
      reasoning: { effort: 'none' },
    });
    expect(second.output_text).toBe('Tool result: 18°C and sunny');
    const sent = lastSent().messages;
    expect(sent.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ function: { name: 'get_weather' } }] });
    expect(sent.at(-1)).toMatchObject({ role: 'tool', content: '18°C and sunny', tool_name: 'get_weather' });
  });

  it('streams a function call as added, arguments delta/done and output_item.done', async () => {
    const stream = await alice.responses.create({ model: TOOL_MODEL, input: 'Weather in Oslo?', tools, stream: true, reasoning: { effort: 'none' } });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const callEvents = events.filter((event) => event.type.startsWith('response.function_call_arguments') || ((event.type === 'response.output_item.added' || event.type === 'response.output_item.done') && event.item.type === 'function_call'));
    expect(callEvents.map((event) => event.type)).toEqual(['response.output_item.added', 'response.function_call_arguments.delta', 'response.function_call_arguments.done', 'response.output_item.done']);
    const done = callEvents.at(-1) as OpenAI.Responses.ResponseOutputItemDoneEvent;
    expect(done.item).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
  });
});

describe('openai SDK: stored responses', () => {
  it('continues a conversation with previous_response_id, streamed or not', async () => {
    const first = await alice.responses.create({ model: TOOL_MODEL, input: 'I live in Lyon.', instructions: 'Old instructions', reasoning: { effort: 'none' } });
    const stream = await alice.responses.create({ model: TOOL_MODEL, input: 'Where do I live?', previous_response_id: first.id, stream: true, reasoning: { effort: 'none' } });
    let second: OpenAI.Responses.Response | undefined;
    for await (const event of stream) if (event.type === 'response.completed') second = event.response;
    await alice.responses.create({ model: TOOL_MODEL, input: 'Thanks.', previous_response_id: second!.id, instructions: 'New instructions', reasoning: { effort: 'none' } });
    expect(lastSent().messages.map((m) => `${m.role}: ${m.content}`)).toEqual([
      'system: New instructions',
      'user: I live in Lyon.',
      'assistant: Echo: I live in Lyon.',
      'user: Where do I live?',
      'assistant: Echo: Where do I live?',
      'user: Thanks.',
    ]);
  });

  it('retrieves, lists input items of, and deletes a stored response; another key gets 404', async () => {
    const created = await alice.responses.create({ model: TOOL_MODEL, input: [{ role: 'developer', content: 'dev note' }, { role: 'user', content: 'keep me' }], reasoning: { effort: 'none' } });
    const retrieved = await alice.responses.retrieve(created.id);
    expect(retrieved.output).toEqual(created.output);
    expect(retrieved.output_text).toBe('Echo: keep me');

    const items = await alice.responses.inputItems.list(created.id, { order: 'asc' });
    expect(items.data.map((item) => (item as { role: string }).role)).toEqual(['developer', 'user']);
    expect(items.data.every((item) => typeof item.id === 'string')).toBe(true);
    const newestFirst = await alice.responses.inputItems.list(created.id, { limit: 1 });
    expect(newestFirst.data.map((item) => (item as { role: string }).role)).toEqual(['user']);
    expect(newestFirst.has_more).toBe(true);

    await expect(bob.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(bob.responses.create({ model: TOOL_MODEL, input: 'hi', previous_response_id: created.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(bob.responses.delete(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    await alice.responses.delete(created.id);
    await expect(alice.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('does not keep a response created with store: false', async () => {
    const created = await alice.responses.create({ model: TOOL_MODEL, input: 'forget me', store: false, reasoning: { effort: 'none' } });
    await expect(alice.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('compacts a conversation into user messages and a compaction item that a following request accepts', async () => {
    const first = await alice.responses.create({ model: TOOL_MODEL, input: 'My name is Ada.', reasoning: { effort: 'none' } });
    fake.script('/api/chat', { kind: 'json', body: { model: TOOL_MODEL, created_at: new Date().toISOString(), message: { role: 'assistant', content: 'The user is called Ada.' }, done: true, done_reason: 'stop', prompt_eval_count: 40, eval_count: 6 } });
    const compacted = await alice.responses.compact({ model: TOOL_MODEL, previous_response_id: first.id, input: [{ role: 'user', content: 'Remember that.' }] });
    expect(compacted.object).toBe('response.compaction');
    expect(compacted.output.map((item) => item.type)).toEqual(['message', 'message', 'compaction']);
    expect(compacted.usage).toMatchObject({ input_tokens: 40, output_tokens: 6, total_tokens: 46 });
    const summaryPrompt = lastSent().messages.map((m) => m.content).join('\n');
    expect(summaryPrompt).toContain('User: My name is Ada.');
    expect(summaryPrompt).toContain('Assistant: Echo: My name is Ada.');

    const next = await alice.responses.create({
      model: TOOL_MODEL,
      input: [...(compacted.output as OpenAI.Responses.ResponseInputItem[]), { role: 'user', content: 'What is my name?' }],
      reasoning: { effort: 'none' },
    });
    expect(next.status).toBe('completed');
    expect(lastSent().messages.map((m) => `${m.role}: ${m.content}`)).toEqual([
      'user: My name is Ada.',
      'user: Remember that.',
      'system: Summary of the earlier conversation:\nThe user is called Ada.',
      'user: What is my name?',
    ]);
  });
});

describe('openai SDK: errors', () => {
  it('raises BadRequestError with the param for a malformed input item', async () => {
    const error = await alice.responses
      .create({ model: TOOL_MODEL, input: [{ type: 'function_call_output', output: 'x' } as unknown as OpenAI.Responses.ResponseInputItem] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('input[0].call_id');
  });

  it('raises NotFoundError for an unknown model', async () => {
    await expect(alice.responses.create({ model: 'no-such-model:1b', input: 'hi' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

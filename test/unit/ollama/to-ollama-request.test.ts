import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest, TextRequest } from '../../../src/core/chat-request.js';
import { InvalidRequestError } from '../../../src/core/errors.js';
import {
  toOllamaChatRequest,
  toOllamaEmbedRequest,
  toOllamaGenerateRequest,
} from '../../../src/ollama/to-ollama-request.js';

const user: ChatMessage = { role: 'user', content: 'Hi' };

function chat(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'deepseek-r1:8b', messages: [user], sampling: {}, ...overrides };
}

const weather = { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
const time = { name: 'get_time' };

describe('toOllamaChatRequest', () => {
  it.each([true, false])('always sets stream explicitly (stream=%s)', (stream) => {
    expect(toOllamaChatRequest(chat(), stream).stream).toBe(stream);
  });

  it('sends nothing the client did not ask for', () => {
    expect(toOllamaChatRequest(chat(), false)).toEqual({
      model: 'deepseek-r1:8b',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: false,
    });
  });

  it.each([
    ['temperature', { temperature: 0.2 }, { temperature: 0.2 }],
    ['topP', { topP: 0.9 }, { top_p: 0.9 }],
    ['seed', { seed: 42 }, { seed: 42 }],
    ['frequencyPenalty', { frequencyPenalty: 0.5 }, { frequency_penalty: 0.5 }],
    ['presencePenalty', { presencePenalty: -0.5 }, { presence_penalty: -0.5 }],
    ['maxTokens', { maxTokens: 256 }, { num_predict: 256 }],
    ['stop', { stop: ['\n\n', 'END'] }, { stop: ['\n\n', 'END'] }],
    ['temperature 0 (falsy but set)', { temperature: 0 }, { temperature: 0 }],
  ])('maps sampling %s into options', (_name, sampling, options) => {
    expect(toOllamaChatRequest(chat({ sampling }), false).options).toEqual(options);
  });

  it('omits options for an empty stop list', () => {
    expect(toOllamaChatRequest(chat({ sampling: { stop: [] } }), false)).not.toHaveProperty('options');
  });

  it('merges runtime options, with the request sampling winning over them', () => {
    const body = toOllamaChatRequest(
      chat({ sampling: { temperature: 0.1 }, runtime: { options: { num_ctx: 32768, temperature: 0.9 } } }),
      true,
    );
    expect(body.options).toEqual({ num_ctx: 32768, temperature: 0.1 });
  });

  it.each(['10m', 0, -1])('passes keep_alive %s through', (keepAlive) => {
    expect(toOllamaChatRequest(chat({ runtime: { keepAlive } }), false).keep_alive).toBe(keepAlive);
  });

  it.each([
    ['json mode', { type: 'json' } as const, 'json'],
    ['json schema', { type: 'json_schema', schema: { type: 'object' }, name: 'x' } as const, { type: 'object' }],
  ])('maps response format %s to format', (_name, responseFormat, format) => {
    expect(toOllamaChatRequest(chat({ responseFormat }), false).format).toEqual(format);
  });

  it('sends no format for text', () => {
    expect(toOllamaChatRequest(chat({ responseFormat: { type: 'text' } }), false)).not.toHaveProperty('format');
  });

  it('sends tools in the function shape, spelling out empty parameters', () => {
    expect(toOllamaChatRequest(chat({ tools: [weather, time] }), false).tools).toEqual([
      { type: 'function', function: weather },
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
    ]);
  });

  it.each([
    ['auto', 'auto' as const, ['get_weather', 'get_time']],
    ['required (cannot be enforced: all tools are sent)', 'required' as const, ['get_weather', 'get_time']],
    ['a named tool (only that tool is sent)', { name: 'get_time' }, ['get_time']],
  ])('sends tools for tool_choice %s', (_name, toolChoice, names) => {
    const body = toOllamaChatRequest(chat({ tools: [weather, time], toolChoice }), false);
    expect(body.tools?.map((tool) => tool.function.name)).toEqual(names);
  });

  it("sends no tools for tool_choice 'none'", () => {
    expect(toOllamaChatRequest(chat({ tools: [weather], toolChoice: 'none' }), false)).not.toHaveProperty('tools');
  });

  it('rejects a named tool_choice that is not among the tools', () => {
    expect(() => toOllamaChatRequest(chat({ tools: [weather], toolChoice: { name: 'nope' } }), false)).toThrow(
      expect.objectContaining({ status: 400, param: 'tool_choice' }),
    );
  });

  it('turns assistant tool call arguments into objects and keeps the ids', () => {
    const assistant: ChatMessage = {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_1', name: 'get_weather', argumentsJson: '{"city":"Tokyo","days":[1,2]}' }],
    };
    expect(toOllamaChatRequest(chat({ messages: [user, assistant] }), false).messages[1]).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'call_1', function: { name: 'get_weather', arguments: { city: 'Tokyo', days: [1, 2] } } }],
    });
  });

  it('treats empty tool call arguments as an empty object', () => {
    const assistant: ChatMessage = { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'get_time', argumentsJson: '' }] };
    const body = toOllamaChatRequest(chat({ messages: [user, assistant] }), false);
    expect(body.messages[1]?.tool_calls?.[0]?.function.arguments).toEqual({});
  });

  it.each([
    ['not JSON', '{city: Tokyo}'],
    ['a JSON array', '["Tokyo"]'],
    ['a JSON string', '"Tokyo"'],
    ['null', 'null'],
  ])('rejects tool call arguments that are %s with a 400 naming the field', (_name, argumentsJson) => {
    const assistant: ChatMessage = { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'f', argumentsJson }] };
    let caught: unknown;
    try {
      toOllamaChatRequest(chat({ messages: [user, assistant] }), false);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidRequestError);
    expect(caught).toMatchObject({ param: 'messages[1].tool_calls[0].function.arguments' });
  });

  it('sends tool results with tool_name and tool_call_id', () => {
    const result: ChatMessage = { role: 'tool', content: '21°C', toolCallId: 'call_1', toolName: 'get_weather' };
    expect(toOllamaChatRequest(chat({ messages: [user, result] }), false).messages[1]).toEqual({
      role: 'tool',
      content: '21°C',
      tool_name: 'get_weather',
      tool_call_id: 'call_1',
    });
  });

  it('resolves a missing tool_name from the earlier assistant call', () => {
    const assistant: ChatMessage = {
      role: 'assistant',
      content: '',
      toolCalls: [
        { id: 'call_a', name: 'get_weather', argumentsJson: '{}' },
        { id: 'call_b', name: 'get_time', argumentsJson: '{}' },
      ],
    };
    const result: ChatMessage = { role: 'tool', content: '12:00', toolCallId: 'call_b' };
    const body = toOllamaChatRequest(chat({ messages: [user, assistant, result] }), false);
    expect(body.messages[2]).toMatchObject({ tool_name: 'get_time', tool_call_id: 'call_b' });
  });

  it('passes images as base64 strings', () => {
    const message: ChatMessage = { role: 'user', content: 'What is this?', images: ['iVBORw0KGgo='] };
    expect(toOllamaChatRequest(chat({ messages: [message] }), false).messages[0]).toEqual({
      role: 'user',
      content: 'What is this?',
      images: ['iVBORw0KGgo='],
    });
  });

  it('drops the reasoning of an earlier final answer, as DeepSeek does', () => {
    const assistant: ChatMessage = { role: 'assistant', content: '4', reasoning: '2+2 is 4' };
    const next: ChatMessage = { role: 'user', content: 'And 3+3?' };
    expect(toOllamaChatRequest(chat({ messages: [user, assistant, next] }), false).messages[1]).toEqual({ role: 'assistant', content: '4' });
  });

  it('sends the reasoning of a tool-calling turn of the current exchange back as thinking', () => {
    const call = { id: 'call_1', name: 'get_weather', argumentsJson: '{"city":"Paris"}' };
    const assistant: ChatMessage = { role: 'assistant', content: '', reasoning: 'I need the weather first.', toolCalls: [call] };
    const result: ChatMessage = { role: 'tool', content: 'sunny', toolCallId: 'call_1' };
    const body = toOllamaChatRequest(chat({ messages: [user, assistant, result] }), false);
    expect(body.messages[1]).toMatchObject({ role: 'assistant', thinking: 'I need the weather first.' });
  });

  it('drops the reasoning of a tool-calling turn once a new user message follows it', () => {
    const call = { id: 'call_1', name: 'get_weather', argumentsJson: '{}' };
    const assistant: ChatMessage = { role: 'assistant', content: '', reasoning: 'old thoughts', toolCalls: [call] };
    const messages: ChatMessage[] = [user, assistant, { role: 'tool', content: 'sunny', toolCallId: 'call_1' }, { role: 'assistant', content: 'Sunny.' }, { role: 'user', content: 'Thanks' }];
    expect(toOllamaChatRequest(chat({ messages }), false).messages[1]).not.toHaveProperty('thinking');
  });

  it.each([
    ['reasoning off', 'deepseek-r1:8b', { enabled: false }, false],
    ['reasoning on', 'deepseek-r1:8b', { enabled: true }, true],
    ['an effort level on DeepSeek (booleans only)', 'deepseek-r1:8b', { enabled: true, effort: 'high' as const }, true],
    ['an effort level on gpt-oss (levels)', 'gpt-oss:20b', { enabled: true, effort: 'low' as const }, 'low'],
  ])('maps %s to think', (_name, model, reasoning, think) => {
    expect(toOllamaChatRequest(chat({ model, reasoning }), false).think).toBe(think);
  });

  it('leaves think unset when the client said nothing about reasoning', () => {
    expect(toOllamaChatRequest(chat(), false)).not.toHaveProperty('think');
  });

  const traits = (canThink: boolean, levels: ('low' | 'medium' | 'high' | 'max')[] = []) => ({
    traits: { capabilities: canThink ? ['completion', 'thinking'] : ['completion'], think: { canThink, levels } },
  });

  it.each([
    ['high on a model without thinking: think left out (Ollama would answer 400)', traits(false), { enabled: true, effort: 'high' as const }, undefined],
    ['off on a model without thinking: false is accepted', traits(false), { enabled: false }, false],
    ['xhigh on a boolean model', traits(true), { enabled: true, effort: 'xhigh' as const }, true],
    ['xhigh on a low/medium/high model', traits(true, ['low', 'medium', 'high']), { enabled: true, effort: 'xhigh' as const }, 'high'],
    ['max on a model reading max', traits(true, ['low', 'medium', 'high', 'max']), { enabled: true, effort: 'max' as const }, 'max'],
    ['minimal on a level model', traits(true, ['low', 'medium', 'high']), { enabled: true, effort: 'minimal' as const }, 'low'],
    ['medium on a level model', traits(true, ['low', 'medium', 'high']), { enabled: true, effort: 'medium' as const }, 'medium'],
  ])('clamps %s', (_name, call, reasoning, think) => {
    const body = toOllamaChatRequest(chat({ reasoning }), false, call);
    if (think === undefined) expect(body).not.toHaveProperty('think');
    else expect(body.think).toBe(think);
  });

  it('sends logprobs and top_logprobs when asked for', () => {
    expect(toOllamaChatRequest(chat({ logprobs: { topLogprobs: 3 } }), false)).toMatchObject({ logprobs: true, top_logprobs: 3 });
    expect(toOllamaChatRequest(chat({ logprobs: { topLogprobs: 0 } }), false)).not.toHaveProperty('top_logprobs');
  });

  it('sends truncate when the backend decides it', () => {
    expect(toOllamaChatRequest(chat(), false, { truncate: false }).truncate).toBe(false);
  });
});

describe('toOllamaGenerateRequest', () => {
  const text = (overrides: Partial<TextRequest> = {}): TextRequest => ({
    model: 'deepseek-coder-v2:16b',
    prompt: 'def fib(n):\n',
    sampling: {},
    ...overrides,
  });

  it('sends prompt and explicit stream only by default', () => {
    expect(toOllamaGenerateRequest(text(), true)).toEqual({ model: 'deepseek-coder-v2:16b', prompt: 'def fib(n):\n', stream: true });
  });

  it('sends suffix for fill-in-the-middle', () => {
    expect(toOllamaGenerateRequest(text({ suffix: '\nprint(fib(9))' }), false).suffix).toBe('\nprint(fib(9))');
  });

  it('omits an empty suffix', () => {
    expect(toOllamaGenerateRequest(text({ suffix: '' }), false)).not.toHaveProperty('suffix');
  });

  it('sends raw and sampling options', () => {
    const body = toOllamaGenerateRequest(text({ raw: true, sampling: { maxTokens: 64, stop: ['\n\n'] } }), false);
    expect(body).toMatchObject({ raw: true, options: { num_predict: 64, stop: ['\n\n'] } });
  });

  it('rejects suffix together with raw, which Ollama would silently ignore', () => {
    expect(() => toOllamaGenerateRequest(text({ raw: true, suffix: 'x' }), false)).toThrow(
      expect.objectContaining({ status: 400, param: 'suffix' }),
    );
  });
});

describe('toOllamaEmbedRequest', () => {
  it('sends the inputs as a batch', () => {
    expect(toOllamaEmbedRequest({ model: 'nomic-embed-text', inputs: ['a', 'b'] })).toEqual({
      model: 'nomic-embed-text',
      input: ['a', 'b'],
    });
  });

  it('passes dimensions, runtime options and keep_alive', () => {
    const body = toOllamaEmbedRequest({
      model: 'nomic-embed-text',
      inputs: ['a'],
      dimensions: 256,
      runtime: { options: { num_ctx: 2048 }, keepAlive: '1m' },
    });
    expect(body).toEqual({ model: 'nomic-embed-text', input: ['a'], dimensions: 256, options: { num_ctx: 2048 }, keep_alive: '1m' });
  });
});

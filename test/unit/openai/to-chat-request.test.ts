import { describe, expect, it } from 'vitest';
import { toChatCall } from '../../../src/openai/to-chat-request.js';
import { loadFixturePairs } from './openai-fixtures.js';
import { rejection } from './reject.js';

/** The canonical request of a parsed call (the stream flags are tested below with toChatCall itself). */
const toChatRequest = (body: unknown, maxJsonDepth?: number) => toChatCall(body, maxJsonDepth).request;

const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const weatherTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } };
const callTurn = (args: string) => ({
  role: 'assistant',
  content: null,
  tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: args } }],
});


describe('toChatRequest', () => {
  it.each(loadFixturePairs('chat-'))('translates fixture $scenario', ({ request, expected }) => {
    expect(toChatRequest(request)).toEqual(expected);
  });

  it.each<[string, unknown, string | null, RegExp]>([
    ['a missing model', { messages: base.messages }, 'model', /Missing required parameter: 'model'/],
    ['an empty model', { ...base, model: '' }, 'model', /non-empty/],
    ['a non-object body', 'hello', null, /JSON object/],
    ['missing messages', { model: 'm' }, 'messages', /Missing required/],
    ['an empty messages array', { ...base, messages: [] }, 'messages', /at least one message/],
    ['an unknown role', { ...base, messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', /role must be/],
    ['a missing user content', { ...base, messages: [{ role: 'user' }] }, 'messages[0].content', /Missing required/],
    ['a numeric content', { ...base, messages: [{ role: 'user', content: 5 }] }, 'messages[0].content', /string or an array/],
    [
      'a text part without text',
      { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 1 }] }] },
      'messages[0].content[0].text',
      /expected string/,
    ],
    [
      'an audio part',
      { ...base, messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] },
      'messages[0].content[0].type',
      /audio and file inputs are not supported/,
    ],
    [
      'an http image URL',
      { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: 'https://x/a.png' } }] }] },
      'messages[0].content[1].image_url',
      /only data: URLs/,
    ],
    [
      'a non-base64 data URL',
      { ...base, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/svg+xml,<svg/>' } }] }] },
      'messages[0].content[0].image_url',
      /base64-encoded/,
    ],
    ['tool arguments that are not JSON', { ...base, messages: [base.messages[0], callTurn('{city:')] }, 'messages[1].tool_calls[0].function.arguments', /JSON-encoded object/],
    ['tool arguments that encode an array', { ...base, messages: [base.messages[0], callTurn('[1]')] }, 'messages[1].tool_calls[0].function.arguments', /not an array/],
    [
      'tool arguments sent as an object',
      { ...base, messages: [base.messages[0], { ...callTurn(''), tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: { a: 1 } } }] }] },
      'messages[1].tool_calls[0].function.arguments',
      /expected string/,
    ],
    ['a tool message without tool_call_id', { ...base, messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id', /Missing required/],
    ['n > 1', { ...base, n: 2 }, 'n', /n > 1 is not supported/],
    ['top_logprobs without logprobs', { ...base, top_logprobs: 2 }, 'top_logprobs', /requires logprobs/],
    ['top_logprobs above 20', { ...base, logprobs: true, top_logprobs: 21 }, 'top_logprobs', /between 0 and 20/],
    ['temperature above 2', { ...base, temperature: 2.5 }, 'temperature', /between 0 and 2/],
    ['negative temperature', { ...base, temperature: -0.1 }, 'temperature', /between 0 and 2/],
    ['top_p above 1', { ...base, top_p: 1.01 }, 'top_p', /between 0 and 1/],
    ['a fractional max_tokens', { ...base, max_tokens: 1.5 }, 'max_tokens', /must be an integer/],
    ['a zero max_completion_tokens', { ...base, max_completion_tokens: 0 }, 'max_completion_tokens', /integer >= 1/],
    ['a numeric stop', { ...base, stop: 5 }, 'stop', /string or an array of strings/],
    ['a custom tool', { ...base, tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0].type', /'function'/],
    ['duplicate tool names', { ...base, tools: [weatherTool, weatherTool] }, 'tools[1].function.name', /duplicate/],
    [
      'a named tool_choice for an undeclared tool',
      { ...base, tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_time' } } },
      'tool_choice.function.name',
      /'get_time'/,
    ],
    ["tool_choice 'required' without tools", { ...base, tool_choice: 'required' }, 'tool_choice', /at least one tool/],
    ['an unknown tool_choice string', { ...base, tools: [weatherTool], tool_choice: 'sometimes' }, 'tool_choice', /'none', 'auto', 'required'/],
    ['an unknown response_format type', { ...base, response_format: { type: 'yaml' } }, 'response_format.type', /'json_object'/],
    ['an unknown reasoning_effort', { ...base, reasoning_effort: 'extreme' }, 'reasoning_effort', /minimal/],
    ['an unknown think level', { ...base, think: 'extreme' }, 'think', /true, false, 'low'/],
    ['audio output', { ...base, modalities: ['text', 'audio'] }, 'modalities', /audio output is not supported/],
  ])('rejects %s', (_name, body, param, message) => {
    const error = rejection(toChatRequest, body);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });

  it('treats think: false as reasoning disabled even when reasoning_effort asks for more', () => {
    expect(toChatRequest({ ...base, think: false, reasoning_effort: 'high' }).reasoning).toEqual({ enabled: false });
  });

  it.each(['minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const)('keeps reasoning_effort %s for the backend to clamp', (effort) => {
    expect(toChatRequest({ ...base, reasoning_effort: effort }).reasoning).toEqual({ enabled: true, effort });
  });

  it('maps reasoning_effort none to reasoning off', () => {
    expect(toChatRequest({ ...base, reasoning_effort: 'none' }).reasoning).toEqual({ enabled: false });
  });

  it("takes DeepSeek's thinking switch with reasoning_effort as its depth", () => {
    expect(toChatRequest({ ...base, thinking: { type: 'enabled' }, reasoning_effort: 'max' }).reasoning).toEqual({ enabled: true, effort: 'max' });
    expect(toChatRequest({ ...base, thinking: { type: 'disabled' }, reasoning_effort: 'max' }).reasoning).toEqual({ enabled: false });
    expect(toChatRequest({ ...base, thinking: { type: 'enabled' } }).reasoning).toEqual({ enabled: true });
  });

  it("accepts Ollama's think: 'max'", () => {
    expect(toChatRequest({ ...base, think: 'max' }).reasoning).toEqual({ enabled: true, effort: 'max' });
  });

  it('maps logprobs and top_logprobs', () => {
    expect(toChatRequest({ ...base, logprobs: true, top_logprobs: 3 }).logprobs).toEqual({ topLogprobs: 3 });
    expect(toChatRequest({ ...base, logprobs: true }).logprobs).toEqual({ topLogprobs: 0 });
    expect(toChatRequest({ ...base, logprobs: false })).not.toHaveProperty('logprobs');
  });

  it('ignores tool_choice auto when no tools are declared', () => {
    const request = toChatRequest({ ...base, tool_choice: 'auto' });
    expect(request).not.toHaveProperty('toolChoice');
    expect(request).not.toHaveProperty('tools');
  });

  it('keeps the arguments string byte for byte', () => {
    const args = '{ "city" : "Paris",\n "units":"metric" }';
    const request = toChatRequest({ ...base, messages: [base.messages[0], callTurn(args)] });
    expect(request.messages[1]?.toolCalls?.[0]?.argumentsJson).toBe(args);
  });

  it('drops an empty stop array instead of sending it upstream', () => {
    expect(toChatRequest({ ...base, stop: [] }).sampling).toEqual({});
  });
});

describe('toChatRequest with history kept elsewhere', () => {
  it('accepts a tool message whose call is not in this request (a server-side session holds it)', () => {
    const request = toChatRequest({ model: 'm', messages: [{ role: 'tool', tool_call_id: 'call_9', content: '42' }] });
    expect(request.messages[0]).toEqual({ role: 'tool', content: '42', toolCallId: 'call_9' });
  });

  it('treats empty tool-call arguments as an empty object', () => {
    const request = toChatRequest({
      model: 'm',
      messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'now', arguments: '' } }] }],
    });
    expect(request.messages[0]?.toolCalls?.[0]?.argumentsJson).toBe('{}');
  });
});

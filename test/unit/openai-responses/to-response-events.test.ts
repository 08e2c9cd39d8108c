import type OpenAI from 'openai';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ChatEvent } from '../../../src/core/chat-event.js';
import { mapEvents } from '../../../src/core/event-mapper.js';
import { UpstreamError } from '../../../src/core/errors.js';
import type { ResponsesOutputItem, ResponsesStreamEvent } from '../../../src/openai-responses/responses-output.js';
import { toChatRequest } from '../../../src/openai-responses/to-chat-request.js';
import { createResponsesEncoder } from '../../../src/openai-responses/to-response-events.js';
import { counterIds, fixedMeta } from './meta.js';

const start: ChatEvent = { type: 'start', model: 'deepseek-r1:7b', createdAt: new Date(0) };
const usage = { promptTokens: 10, completionTokens: 7, reasoningTokens: 3 };
const call = toChatRequest(
  { model: 'deepseek-r1:7b', input: 'x', tools: [{ type: 'function', name: 'get_weather' }, { type: 'custom', name: 'apply_patch' }] },
  counterIds(),
);

async function encode(events: ChatEvent[]) {
  const encoder = createResponsesEncoder(fixedMeta(call));
  const out: ResponsesStreamEvent[] = [];
  for await (const event of mapEvents(
    (async function* () {
      yield* events;
    })(),
    encoder,
  ))
    out.push(event);
  return { out, encoder };
}

describe('createResponsesEncoder', () => {
  it('streams reasoning, then text, then a function call, ending in response.completed with every item', async () => {
    const { out, encoder } = await encode([
      start,
      { type: 'reasoning-delta', text: 'Hmm' },
      { type: 'reasoning-delta', text: '.' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'tool-call', index: 0, call: { id: 'call_1', name: 'get_weather', argumentsJson: '{"city":"Oslo"}' } },
      { type: 'finish', finishReason: 'tool_calls', usage },
    ]);
    expect(out.map((event) => [event.sequence_number, event.type, 'output_index' in event ? event.output_index : null])).toEqual([
      [0, 'response.created', null],
      [1, 'response.in_progress', null],
      [2, 'response.output_item.added', 0],
      [3, 'response.reasoning_summary_part.added', 0],
      [4, 'response.reasoning_summary_text.delta', 0],
      [5, 'response.reasoning_summary_text.delta', 0],
      [6, 'response.reasoning_summary_text.done', 0],
      [7, 'response.reasoning_summary_part.done', 0],
      [8, 'response.output_item.done', 0],
      [9, 'response.output_item.added', 1],
      [10, 'response.content_part.added', 1],
      [11, 'response.output_text.delta', 1],
      [12, 'response.output_text.done', 1],
      [13, 'response.content_part.done', 1],
      [14, 'response.output_item.done', 1],
      [15, 'response.output_item.added', 2],
      [16, 'response.function_call_arguments.delta', 2],
      [17, 'response.function_call_arguments.done', 2],
      [18, 'response.output_item.done', 2],
      [19, 'response.completed', null],
    ]);
    const completed = out.at(-1) as Extract<ResponsesStreamEvent, { response: unknown }>;
    expect(completed.response.output).toEqual([
      { type: 'reasoning', id: 'rs_1', status: 'completed', summary: [{ type: 'summary_text', text: 'Hmm.' }], content: [{ type: 'reasoning_text', text: 'Hmm.' }] },
      { type: 'message', id: 'msg_2', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hi', annotations: [], logprobs: [] }] },
      { type: 'function_call', id: 'fc_3', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}', status: 'completed' },
    ]);
    expect(completed.response).toMatchObject({
      id: 'resp_test',
      status: 'completed',
      created_at: 1_700_000_000,
      completed_at: 1_700_000_005,
      usage: { input_tokens: 10, output_tokens: 7, total_tokens: 17, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 3 } },
    });
    expect(encoder.settle({ finishReason: 'tool_calls', usage })).toBe(completed.response);
    expect(encoder.assistantMessage()).toEqual({ role: 'assistant', content: 'Hi', reasoning: 'Hmm.', toolCalls: [{ id: 'call_1', name: 'get_weather', argumentsJson: '{"city":"Oslo"}' }] });
  });

  it('answers a call of a custom tool with custom_tool_call input events and the raw input', async () => {
    const { out } = await encode([start, { type: 'tool-call', index: 0, call: { id: 'call_p', name: 'apply_patch', argumentsJson: '{"input":"*** Begin Patch"}' } }, { type: 'finish', finishReason: 'tool_calls', usage }]);
    expect(out.slice(2).map((event) => event.type)).toEqual([
      'response.output_item.added',
      'response.custom_tool_call_input.delta',
      'response.custom_tool_call_input.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(out[5]).toMatchObject({ item: { type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch', input: '*** Begin Patch' } });
  });

  it('ends a response cut by the token limit with response.incomplete and incomplete items', async () => {
    const { out } = await encode([start, { type: 'text-delta', text: 'Par' }, { type: 'finish', finishReason: 'length', usage }]);
    const last = out.at(-1)!;
    expect(last).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, completed_at: null } });
    expect(out.find((event) => event.type === 'response.output_item.done')).toMatchObject({ item: { status: 'incomplete' } });
  });

  it('refuses a stream that ends without finishing (the error handler then writes response.failed)', async () => {
    await expect(encode([start, { type: 'text-delta', text: 'cut' }])).rejects.toBeInstanceOf(UpstreamError);
  });

  it('writes response.failed with the next sequence number and the output so far', () => {
    const encoder = createResponsesEncoder(fixedMeta(call));
    const out: Parameters<typeof encoder.map>[1] = [];
    encoder.map(start, out);
    encoder.map({ type: 'text-delta', text: 'so far' }, out);
    const [failed] = encoder.failed(502, 'Ollama went away');
    expect(failed).toMatchObject({ type: 'response.failed', sequence_number: out.length, response: { status: 'failed', error: { code: 'server_error', message: 'Ollama went away' } } });
    expect(encoder.failed(429, 'slow down')[0]).toMatchObject({ response: { error: { code: 'rate_limit_exceeded' } } });
  });

  it('produces output items the openai SDK types accept', () => {
    expectTypeOf<ResponsesOutputItem>().toExtend<OpenAI.Responses.ResponseOutputItem>();
    // Events that carry a whole response echo the client's tools and tool_choice as sent (typed loosely here).
    expectTypeOf<Exclude<ResponsesStreamEvent, { response: unknown }>>().toExtend<OpenAI.Responses.ResponseStreamEvent>();
  });
});

import type OpenAI from 'openai';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ChatEvent } from '../../../src/core/chat-event.js';
import { UpstreamError } from '../../../src/core/errors.js';
import type { ResponsesOutputItem, ResponsesStreamEvent } from '../../../src/openai-responses/responses-output.js';
import { toChatRequest } from '../../../src/openai-responses/to-chat-request.js';
import { createResponsesEncoder } from '../../../src/openai-responses/to-response-events.js';
import { encodeAll, sseFrames } from '../../helpers/encode-stream.js';
import { counterIds, fixedMeta } from './meta.js';

const start: ChatEvent = { type: 'start', model: 'deepseek-r1:7b', createdAt: new Date(0) };
const usage = { promptTokens: 10, completionTokens: 7, reasoningTokens: 3 };
const call = toChatRequest(
  { model: 'deepseek-r1:7b', input: 'x', tools: [{ type: 'function', name: 'get_weather' }, { type: 'custom', name: 'apply_patch' }] },
  counterIds(),
);

/** The events as a client reads them; each frame is named by its data's type. */
function parse(text: string): ResponsesStreamEvent[] {
  return sseFrames(text).map(({ event, data }) => {
    const parsed = JSON.parse(data) as ResponsesStreamEvent;
    expect(event).toBe(parsed.type);
    return parsed;
  });
}

function encode(events: ChatEvent[]) {
  const encoder = createResponsesEncoder(fixedMeta(call));
  return { out: parse(encodeAll(encoder, events)), encoder };
}

describe('createResponsesEncoder', () => {
  it('streams reasoning, then text, then a function call, ending in response.completed with every item', () => {
    const { out, encoder } = encode([
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
    expect(completed.response).toEqual(encoder.settle({ finishReason: 'tool_calls', usage }));
    expect(encoder.assistantMessage()).toEqual({ role: 'assistant', content: 'Hi', reasoning: 'Hmm.', toolCalls: [{ id: 'call_1', name: 'get_weather', argumentsJson: '{"city":"Oslo"}' }] });
  });

  it('answers a call of a custom tool with custom_tool_call input events and the raw input', () => {
    const { out } = encode([start, { type: 'tool-call', index: 0, call: { id: 'call_p', name: 'apply_patch', argumentsJson: '{"input":"*** Begin Patch"}' } }, { type: 'finish', finishReason: 'tool_calls', usage }]);
    expect(out.slice(2).map((event) => event.type)).toEqual([
      'response.output_item.added',
      'response.custom_tool_call_input.delta',
      'response.custom_tool_call_input.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(out[5]).toMatchObject({ item: { type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch', input: '*** Begin Patch' } });
  });

  it('ends a response cut by the token limit with response.incomplete and incomplete items', () => {
    const { out } = encode([start, { type: 'text-delta', text: 'Par' }, { type: 'finish', finishReason: 'length', usage }]);
    const last = out.at(-1)!;
    expect(last).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, completed_at: null } });
    expect(out.find((event) => event.type === 'response.output_item.done')).toMatchObject({ item: { status: 'incomplete' } });
  });

  it('refuses a stream that ends without finishing (the error handler then writes response.failed)', () => {
    expect(() => encode([start, { type: 'text-delta', text: 'cut' }])).toThrow(UpstreamError);
  });

  it('writes response.failed with the next sequence number and the output so far', () => {
    const encoder = createResponsesEncoder(fixedMeta(call));
    const written = parse(encoder.encode(start) + encoder.encode({ type: 'text-delta', text: 'so far' }));
    const [failed] = parse(encoder.errorFrame({ status: 502, message: 'Ollama went away' }));
    expect(failed).toMatchObject({ type: 'response.failed', sequence_number: written.length, response: { status: 'failed', error: { code: 'server_error', message: 'Ollama went away' } } });
    expect(failed).toMatchObject({ response: { output: [{ type: 'message', id: 'msg_1', status: 'in_progress' }] } });
    expect(parse(encoder.errorFrame({ status: 429, message: 'slow down' }))[0]).toMatchObject({ response: { error: { code: 'rate_limit_exceeded' } } });
  });

  it('writes every event as JSON.stringify writes its object, with each text in full in the done events', () => {
    const tricky = ['think "hard"', '\n\u2028next', 'Héllo \\ "world"', '😀', 'lone \ud800', '</script>'];
    const encoder = createResponsesEncoder(fixedMeta(call));
    const events: ChatEvent[] = [
      start,
      ...tricky.map((text): ChatEvent => ({ type: 'reasoning-delta', text })),
      ...tricky.map((text): ChatEvent => ({ type: 'text-delta', text })),
      { type: 'tool-call', index: 0, call: { id: 'call_1', name: 'get_weather', argumentsJson: '{"city":"Oslo"}' } },
      { type: 'text-delta', text: 'after the call' },
      { type: 'finish', finishReason: 'stop', usage },
    ];
    const frames = sseFrames(encodeAll(encoder, events));
    expect(frames.length).toBeGreaterThan(25);
    for (const { data } of frames) expect(data).toBe(JSON.stringify(JSON.parse(data)));
    const out = frames.map(({ data }) => JSON.parse(data) as ResponsesStreamEvent);
    expect(out.map((event) => event.sequence_number)).toEqual(out.map((_, index) => index));
    const whole = tricky.join('');
    const textDone = out.find((event) => event.type === 'response.output_text.done');
    expect(textDone).toEqual({ type: 'response.output_text.done', item_id: 'msg_2', output_index: 1, content_index: 0, text: whole, logprobs: [], sequence_number: textDone!.sequence_number });
    const delta = out.find((event) => event.type === 'response.output_text.delta')!;
    expect(frames[delta.sequence_number]!.data).toBe(
      JSON.stringify({ type: 'response.output_text.delta', item_id: 'msg_2', output_index: 1, content_index: 0, delta: tricky[0], logprobs: [], sequence_number: delta.sequence_number }),
    );
    const done = out.filter((event) => event.type === 'response.output_item.done').map((event) => event.type === 'response.output_item.done' && event.item);
    const completed = out.at(-1) as Extract<ResponsesStreamEvent, { response: unknown }>;
    expect(completed.type).toBe('response.completed');
    expect(completed.response.output).toEqual(done);
    expect(done[0]).toEqual({ type: 'reasoning', id: 'rs_1', status: 'completed', summary: [{ type: 'summary_text', text: whole }], content: [{ type: 'reasoning_text', text: whole }] });
    expect(done[1]).toEqual({ type: 'message', id: 'msg_2', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: whole, annotations: [], logprobs: [] }] });
    expect(completed.response).toEqual({ ...encoder.settle({ finishReason: 'stop', usage }), output: done });
  });

  it('writes the settings the request echoes (tools included) into the created and terminal responses unchanged', () => {
    const withOutputKeys = toChatRequest(
      { model: 'm', input: 'x', instructions: '"output":[]', tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: { output: { type: 'array', default: [] } } } }] },
      counterIds(),
    );
    const encoder = createResponsesEncoder(fixedMeta(withOutputKeys));
    const out = parse(encodeAll(encoder, [start, { type: 'text-delta', text: 'ok' }, { type: 'finish', finishReason: 'stop', usage }]));
    const completed = out.at(-1) as Extract<ResponsesStreamEvent, { response: unknown }>;
    expect(completed.response).toEqual(JSON.parse(JSON.stringify(encoder.settle({ finishReason: 'stop', usage }))));
    expect(completed.response.output).toHaveLength(1);
  });

  it('produces output items the openai SDK types accept', () => {
    expectTypeOf<ResponsesOutputItem>().toExtend<OpenAI.Responses.ResponseOutputItem>();
    // Events that carry a whole response echo the client's tools and tool_choice as sent (typed loosely here).
    expectTypeOf<Exclude<ResponsesStreamEvent, { response: unknown }>>().toExtend<OpenAI.Responses.ResponseStreamEvent>();
  });
});

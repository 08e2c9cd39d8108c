import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { AnthropicContentDelta, AnthropicStreamEvent } from '../../../src/anthropic/anthropic-wire.js';
import { ANTHROPIC_PING_FRAME, createAnthropicEncoder } from '../../../src/anthropic/to-anthropic-events.js';
import type { ChatEvent } from '../../../src/core/chat-event.js';
import { UpstreamError } from '../../../src/core/errors.js';
import { encodeAll, sseFrames } from '../../helpers/encode-stream.js';
import { finish, reasoning, start, text } from '../openai/chat-events.js';

// Our deltas must be the SDK's deltas; the other events are checked field by field in the transcripts below.
const asSdkDelta = (delta: AnthropicContentDelta): Anthropic.RawContentBlockDeltaEvent['delta'] => delta;
const asSdkStop = (event: Extract<AnthropicStreamEvent, { type: 'content_block_stop' }>): Anthropic.RawContentBlockStopEvent => event;

const meta = { id: 'msg_1', model: 'claude-test', omitThinking: false };
/** The events as the SDK reads them; every frame is named by its data's type, and its data is what JSON.stringify writes. */
function run(events: ChatEvent[], options = meta): AnthropicStreamEvent[] {
  return sseFrames(encodeAll(createAnthropicEncoder(options, 'req_1'), events)).map(({ event, data }) => {
    const parsed = JSON.parse(data) as AnthropicStreamEvent;
    expect(event).toBe(parsed.type);
    expect(data).toBe(JSON.stringify(parsed));
    return parsed;
  });
}
const messageStart = {
  type: 'message_start',
  message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-test', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } },
};

describe('createAnthropicEncoder', () => {
  it('streams text as message_start, one text block, message_delta with usage, message_stop', () => {
    expect(run([start, text('Hel'), text('lo'), finish()])).toEqual([
      messageStart,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { input_tokens: 12, output_tokens: 30 } },
      { type: 'message_stop' },
    ]);
  });

  it('closes a thinking block with a signature_delta before the text block opens', () => {
    const events = run([start, reasoning('Hmm'), text('Yes'), finish()]);
    expect(events.slice(1, 7)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'ollama-proxy-unsigned' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Yes' } },
    ]);
  });

  it('sends no thinking_delta when thinking is omitted, but keeps the block', () => {
    const events = run([start, reasoning('secret'), reasoning(' more'), text('A'), finish()], { ...meta, omitThinking: true });
    expect(events.filter((event) => event.type === 'content_block_delta').map((event) => event.type === 'content_block_delta' && event.delta.type)).toEqual(['signature_delta', 'text_delta']);
  });

  it('sends each tool call as its own block with the whole input in one input_json_delta', () => {
    const call = (id: string, city: string): ChatEvent => ({ type: 'tool-call', index: 0, call: { id, name: 'weather', argumentsJson: JSON.stringify({ city }) } });
    const events = run([start, text('Checking'), call('call_a', 'Lima'), call('call_b', 'Oslo'), finish('tool_calls')]);
    expect(events.slice(4)).toEqual([
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_a', name: 'weather', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":"Lima"}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_b', name: 'weather', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city":"Oslo"}' } },
      { type: 'content_block_stop', index: 2 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { input_tokens: 12, output_tokens: 30 } },
      { type: 'message_stop' },
    ]);
  });

  it('names the stop sequence that ended the answer in message_delta', () => {
    const stopped: ChatEvent = { type: 'finish', finishReason: 'stop', stopSequence: '</answer>', usage: { promptTokens: 7, completionTokens: 4 } };
    expect(run([start, text('42'), stopped]).slice(-3)).toEqual([
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'stop_sequence', stop_sequence: '</answer>' }, usage: { input_tokens: 7, output_tokens: 4 } },
      { type: 'message_stop' },
    ]);
  });

  it('keeps tool_use in message_delta when a tool call came before the stop sequence', () => {
    const call: ChatEvent = { type: 'tool-call', index: 0, call: { id: 'call_a', name: 'weather', argumentsJson: '{}' } };
    const stopped: ChatEvent = { type: 'finish', finishReason: 'stop', stopSequence: 'END', usage: { promptTokens: 7, completionTokens: 4 } };
    expect(run([start, call, text('x'), stopped]).at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null } });
  });

  it('reports max_tokens when the model hit the length limit', () => {
    const events = run([start, text('cut'), finish('length')]);
    expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'max_tokens' } });
  });

  it('throws when the events end without finish, so the writer sends an error event', () => {
    expect(() => run([start, text('partial')])).toThrow(UpstreamError);
  });

  it("ends a failed stream with an error event in Anthropic's shape, carrying the request id", () => {
    const frame = createAnthropicEncoder(meta, 'req_1').errorFrame(new UpstreamError('Ollama went away'));
    expect(frame.startsWith('event: error\ndata: ')).toBe(true);
    expect(JSON.parse(frame.slice('event: error\ndata: '.length))).toEqual({ type: 'error', error: { type: 'api_error', message: 'Ollama went away' }, request_id: 'req_1' });
  });

  it('has no terminator and keeps the connection alive with ping events', () => {
    const encoder = createAnthropicEncoder(meta);
    expect(encodeAll(encoder, [start, text('a'), finish()]).endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
    expect(encoder.heartbeat).toBe(ANTHROPIC_PING_FRAME);
  });

  it('writes tricky text exactly as JSON.stringify does', () => {
    const tricky = ['quote " \\', 'line\nbreak', 'emoji 🙂', 'lone \ud800', '\u2028'];
    const deltas = run([start, ...tricky.map(reasoning), ...tricky.map(text), finish()]).filter((event) => event.type === 'content_block_delta');
    expect(deltas.map((event) => event.type === 'content_block_delta' && ('text' in event.delta ? event.delta.text : 'thinking' in event.delta ? event.delta.thinking : null))).toEqual([...tricky, null, ...tricky]);
  });

  it('produces deltas and stops the SDK declares', () => {
    const events = run([start, reasoning('a'), text('b'), finish()]);
    for (const event of events) {
      if (event.type === 'content_block_delta') expect(asSdkDelta(event.delta).type).toMatch(/_delta$/);
      if (event.type === 'content_block_stop') expect(asSdkStop(event).index).toBeGreaterThanOrEqual(0);
    }
  });
});

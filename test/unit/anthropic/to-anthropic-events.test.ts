import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { AnthropicContentDelta, AnthropicStreamEvent } from '../../../src/anthropic/anthropic-wire.js';
import { createAnthropicEventMapper } from '../../../src/anthropic/to-anthropic-events.js';
import type { ChatEvent } from '../../../src/core/chat-event.js';
import { mapEvents } from '../../../src/core/event-mapper.js';
import { UpstreamError } from '../../../src/core/errors.js';
import { collect, eventStream, finish, reasoning, start, text } from '../openai/chat-events.js';

// Our deltas must be the SDK's deltas; the other events are checked field by field in the transcripts below.
const asSdkDelta = (delta: AnthropicContentDelta): Anthropic.RawContentBlockDeltaEvent['delta'] => delta;
const asSdkStop = (event: Extract<AnthropicStreamEvent, { type: 'content_block_stop' }>): Anthropic.RawContentBlockStopEvent => event;

const meta = { id: 'msg_1', model: 'claude-test', omitThinking: false };
const run = (events: ChatEvent[], options = meta) => collect(mapEvents(eventStream(events), createAnthropicEventMapper(options)));
const messageStart = {
  type: 'message_start',
  message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-test', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } },
};

describe('createAnthropicEventMapper', () => {
  it('streams text as message_start, one text block, message_delta with usage, message_stop', async () => {
    expect(await run([start, text('Hel'), text('lo'), finish()])).toEqual([
      messageStart,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { input_tokens: 12, output_tokens: 30 } },
      { type: 'message_stop' },
    ]);
  });

  it('closes a thinking block with a signature_delta before the text block opens', async () => {
    const events = await run([start, reasoning('Hmm'), text('Yes'), finish()]);
    expect(events.slice(1, 7)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'ollama-proxy-unsigned' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Yes' } },
    ]);
  });

  it('sends no thinking_delta when thinking is omitted, but keeps the block', async () => {
    const events = await run([start, reasoning('secret'), reasoning(' more'), text('A'), finish()], { ...meta, omitThinking: true });
    expect(events.filter((event) => event.type === 'content_block_delta').map((event) => event.type === 'content_block_delta' && event.delta.type)).toEqual(['signature_delta', 'text_delta']);
  });

  it('sends each tool call as its own block with the whole input in one input_json_delta', async () => {
    const call = (id: string, city: string): ChatEvent => ({ type: 'tool-call', index: 0, call: { id, name: 'weather', argumentsJson: JSON.stringify({ city }) } });
    const events = await run([start, text('Checking'), call('call_a', 'Lima'), call('call_b', 'Oslo'), finish('tool_calls')]);
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

  it('reports max_tokens when the model hit the length limit', async () => {
    const events = await run([start, text('cut'), finish('length')]);
    expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'max_tokens' } });
  });

  it('throws when the events end without finish, so the writer sends an error event', async () => {
    await expect(run([start, text('partial')])).rejects.toBeInstanceOf(UpstreamError);
  });

  it('produces deltas and stops the SDK declares', async () => {
    const events = await run([start, reasoning('a'), text('b'), finish()]);
    for (const event of events) {
      if (event.type === 'content_block_delta') expect(asSdkDelta(event.delta).type).toMatch(/_delta$/);
      if (event.type === 'content_block_stop') expect(asSdkStop(event).index).toBeGreaterThanOrEqual(0);
    }
  });
});

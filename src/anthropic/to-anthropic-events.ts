import type { ChatEvent } from '../core/chat-event.js';
import type { EventMapper } from '../core/event-mapper.js';
import { UpstreamError } from '../core/errors.js';
import { THINKING_SIGNATURE } from './anthropic-ids.js';
import type { AnthropicMessageMeta } from './from-chat-result.js';
import { toAnthropicUsage, toStopReason, toToolUseBlock } from './from-chat-result.js';
import type { AnthropicStreamEvent } from './anthropic-wire.js';

type OpenBlock = 'none' | 'thinking' | 'text';

/**
 * Canonical events → Messages stream events: `message_start`, then per content block `content_block_start`,
 * its deltas and `content_block_stop`, then `message_delta` (stop_reason, usage) and `message_stop`.
 * Input tokens are known only at the end, so message_start reports 0 and message_delta the real count
 * (the SDKs take both). `end` throws: events without `finish` mean the upstream broke off.
 */
export function createAnthropicEventMapper(meta: AnthropicMessageMeta): EventMapper<ChatEvent, AnthropicStreamEvent> {
  let hasStarted = false;
  let open: OpenBlock = 'none';
  let index = -1;
  let hasToolCalls = false;

  const close = (out: AnthropicStreamEvent[]): void => {
    if (open === 'thinking') out.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: THINKING_SIGNATURE } });
    if (open !== 'none') out.push({ type: 'content_block_stop', index });
    open = 'none';
  };
  const openBlock = (out: AnthropicStreamEvent[], kind: 'thinking' | 'text'): void => {
    close(out);
    open = kind;
    index++;
    const block = kind === 'text' ? { type: 'text' as const, text: '' } : { type: 'thinking' as const, thinking: '', signature: '' };
    out.push({ type: 'content_block_start', index, content_block: block });
  };

  return {
    map(event, out) {
      if (!hasStarted) {
        hasStarted = true;
        const message = { id: meta.id, type: 'message' as const, role: 'assistant' as const, model: meta.model, content: [] };
        out.push({ type: 'message_start', message: { ...message, stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } } });
      }
      switch (event.type) {
        case 'start':
          return false;
        case 'reasoning-delta':
          if (event.text === '') return false;
          if (open !== 'thinking') openBlock(out, 'thinking');
          if (!meta.omitThinking) out.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: event.text } });
          return false;
        case 'text-delta':
          if (event.text === '') return false;
          if (open !== 'text') openBlock(out, 'text');
          out.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: event.text } });
          return false;
        case 'tool-call': {
          close(out);
          index++;
          hasToolCalls = true;
          const block = toToolUseBlock(event.call);
          // Ollama delivers whole calls: the input arrives as one input_json_delta.
          out.push({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
          out.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
          out.push({ type: 'content_block_stop', index });
          return false;
        }
        case 'finish':
          close(out);
          out.push({
            type: 'message_delta',
            delta: { stop_reason: toStopReason(event.finishReason, hasToolCalls), stop_sequence: null },
            usage: toAnthropicUsage(event.usage),
          });
          out.push({ type: 'message_stop' });
          return true;
      }
    },
    end() {
      throw new UpstreamError('The model stream ended before the response was complete.');
    },
  };
}

/** The SSE `event:` name of a frame: Anthropic's clients dispatch on it (the SDK skips frames without one). */
export const anthropicEventName = (event: AnthropicStreamEvent): string => event.type;

/** Anthropic's keep-alive, sent while nothing else is (its SDK skips it; a comment line would not reach every client). */
export const ANTHROPIC_PING_FRAME = 'event: ping\ndata: {"type": "ping"}\n\n';

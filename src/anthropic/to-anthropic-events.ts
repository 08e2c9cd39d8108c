import type { ChatEvent } from '../core/chat-event.js';
import type { ProxyError } from '../core/errors.js';
import { assertStreamFinished, prefixOnce, type StreamEncoder } from '../core/stream-encoder.js';
import { THINKING_SIGNATURE } from './anthropic-ids.js';
import type { AnthropicMessageMeta } from './from-chat-result.js';
import { toAnthropicUsage, toStopFields, toToolUseBlock } from './from-chat-result.js';
import type { AnthropicStreamEvent } from './anthropic-wire.js';
import { toAnthropicError } from './to-anthropic-error.js';

type OpenBlock = 'none' | 'thinking' | 'text';

/** Anthropic's keep-alive, sent while nothing else is (its SDK skips it; a comment line would not reach every client). */
export const ANTHROPIC_PING_FRAME = 'event: ping\ndata: {"type": "ping"}\n\n';

/** An SSE frame with its `event:` name: Anthropic's clients dispatch on it (the SDK skips frames without one). */
function frame(event: AnthropicStreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Canonical events → Messages SSE frames: `message_start`, then per content block `content_block_start`,
 * its deltas and `content_block_stop`, then `message_delta` (stop_reason, usage) and `message_stop`; no
 * terminator. Input tokens are known only at the end, so message_start reports 0 and message_delta the real
 * count (the SDKs take both). `end` throws: events without `finish` mean the upstream broke off. A failure
 * after the 200 is an `error` event carrying `requestId`.
 */
export function createAnthropicEncoder(meta: AnthropicMessageMeta, requestId?: string): StreamEncoder<ChatEvent> {
  const messageStart = frame({
    type: 'message_start',
    message: { id: meta.id, type: 'message', role: 'assistant', model: meta.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } },
  });
  let open: OpenBlock = 'none';
  let index = -1;
  let hasToolCalls = false;
  let isComplete = false;
  // Hot path (one per token): the frame of a text or thinking delta is fixed per block but for the fragment,
  // byte-identical to frame() of the delta event.
  let deltaHead = '';
  // The streamed text of the open thinking block, for its signature (only when the meta signs).
  let thinking = '';

  const close = (): string => {
    let out = '';
    if (open === 'thinking') {
      // The tag covers exactly the text the client accumulates from the thinking_delta frames and sends back.
      const signature = meta.signThinking?.(thinking) ?? THINKING_SIGNATURE;
      out += frame({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature } });
    }
    if (open !== 'none') out += frame({ type: 'content_block_stop', index });
    open = 'none';
    return out;
  };
  const openBlock = (kind: 'thinking' | 'text'): string => {
    const closed = close();
    open = kind;
    index++;
    thinking = '';
    const field = kind === 'text' ? '"type":"text_delta","text"' : '"type":"thinking_delta","thinking"';
    deltaHead = `event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":{${field}:`;
    const block = kind === 'text' ? { type: 'text' as const, text: '' } : { type: 'thinking' as const, thinking: '', signature: '' };
    return closed + frame({ type: 'content_block_start', index, content_block: block });
  };

  const frames = (event: ChatEvent): string => {
    switch (event.type) {
      case 'start':
        return '';
      case 'reasoning-delta': {
        if (event.text === '') return '';
        const opened = open === 'thinking' ? '' : openBlock('thinking');
        if (meta.omitThinking) return opened;
        if (meta.signThinking) thinking += event.text;
        return `${opened}${deltaHead}${JSON.stringify(event.text)}}}\n\n`;
      }
      case 'text-delta': {
        if (event.text === '') return '';
        const opened = open === 'text' ? '' : openBlock('text');
        return `${opened}${deltaHead}${JSON.stringify(event.text)}}}\n\n`;
      }
      case 'tool-call': {
        const closed = close();
        index++;
        hasToolCalls = true;
        const block = toToolUseBlock(event.call);
        // Ollama delivers whole calls: the input arrives as one input_json_delta.
        return (
          closed +
          frame({ type: 'content_block_start', index, content_block: { ...block, input: {} } }) +
          frame({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } }) +
          frame({ type: 'content_block_stop', index })
        );
      }
      case 'finish': {
        isComplete = true;
        const closed = close();
        const delta = toStopFields(event.finishReason, hasToolCalls, event.stopSequence);
        return `${closed}${frame({ type: 'message_delta', delta, usage: toAnthropicUsage(event.usage) })}${frame({ type: 'message_stop' })}`;
      }
    }
  };

  return {
    format: 'sse',
    heartbeat: ANTHROPIC_PING_FRAME,
    get isComplete() {
      return isComplete;
    },
    encode: prefixOnce(messageStart, frames),
    end() {
      assertStreamFinished(isComplete);
      return '';
    },
    errorFrame: (error: ProxyError) => `event: error\ndata: ${JSON.stringify(toAnthropicError(error, requestId))}\n\n`,
  };
}

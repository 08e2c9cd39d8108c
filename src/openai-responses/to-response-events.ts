import type { ChatEvent } from '../core/chat-event.js';
import type { ChatMessage, ToolCall } from '../core/chat-request.js';
import { UpstreamError } from '../core/errors.js';
import type { EventMapper } from '../core/event-mapper.js';
import { responseObject, toResponsesErrorBody, type ResponseEnd, type ResponsesMeta } from './response-object.js';
import type { ResponsesEventBody, ResponsesObject, ResponsesOutputItem, ResponsesStreamEvent } from './responses-output.js';
import { toCallItem } from './tool-names.js';
import { messageItem, reasoningItem } from './to-output-items.js';

// Canonical events → the Responses API's typed stream: response.created and .in_progress first, then for each
// output item `output_item.added`, its part/delta/done events and `output_item.done` (Codex reads the final text
// from that one), and a terminal response.completed | .incomplete | .failed carrying the whole response.
// Reasoning and text arrive as deltas; Ollama hands over whole tool calls, so a call's arguments are one delta.

export interface ResponsesEncoder extends EventMapper<ChatEvent, ResponsesStreamEvent> {
  /** The terminal event for a stream that broke after it started (the error handler writes it). */
  failed(status: number, message: string): ResponsesStreamEvent[];
  /**
   * The response the terminal event for `end` carries, computed before that event is mapped (a stored response
   * is saved before the client can read the terminal event and ask for it); the same object afterwards.
   */
  settle(end: ResponseEnd): ResponsesObject;
  /** The answer so far as a canonical assistant message (what a stored conversation keeps). */
  assistantMessage(): ChatMessage;
}

/** Shared by every delta event: we have no logprobs, and nothing mutates it. */
const NO_LOGPROBS: never[] = [];

/** The item being streamed; its text is kept as the deltas (joined once, when it closes). */
type Open = { kind: 'reasoning' | 'message'; id: string; index: number; parts: string[] } | undefined;

export function createResponsesEncoder(meta: ResponsesMeta): ResponsesEncoder {
  let sequence = 0;
  let open: Open;
  let final: ResponsesObject | undefined;
  const output: ResponsesOutputItem[] = [];
  const calls: ToolCall[] = [];

  const push = (out: ResponsesStreamEvent[], body: ResponsesEventBody) => {
    out.push({ ...body, sequence_number: sequence++ } as ResponsesStreamEvent);
  };

  const close = (out: ResponsesStreamEvent[], status: 'completed' | 'incomplete') => {
    if (!open) return;
    const { id, index } = open;
    const text = open.parts.join('');
    if (open.kind === 'reasoning') {
      const part = { type: 'summary_text' as const, text };
      push(out, { type: 'response.reasoning_summary_text.done', item_id: id, output_index: index, summary_index: 0, text });
      push(out, { type: 'response.reasoning_summary_part.done', item_id: id, output_index: index, summary_index: 0, part });
      output[index] = reasoningItem(id, text, status);
    } else {
      const part = { type: 'output_text' as const, text, annotations: [], logprobs: [] };
      push(out, { type: 'response.output_text.done', item_id: id, output_index: index, content_index: 0, text, logprobs: [] });
      push(out, { type: 'response.content_part.done', item_id: id, output_index: index, content_index: 0, part });
      output[index] = messageItem(id, text, status);
    }
    push(out, { type: 'response.output_item.done', output_index: index, item: output[index]! });
    open = undefined;
  };

  const ensureOpen = (out: ResponsesStreamEvent[], kind: 'reasoning' | 'message'): NonNullable<Open> => {
    if (open?.kind === kind) return open;
    close(out, 'completed');
    const id = meta.newItemId(kind === 'reasoning' ? 'rs' : 'msg');
    const index = output.length;
    open = { kind, id, index, parts: [] };
    if (kind === 'reasoning') {
      output.push(reasoningItem(id, '', 'in_progress'));
      push(out, { type: 'response.output_item.added', output_index: index, item: output[index]! });
      push(out, { type: 'response.reasoning_summary_part.added', item_id: id, output_index: index, summary_index: 0, part: { type: 'summary_text', text: '' } });
    } else {
      output.push(messageItem(id, undefined, 'in_progress'));
      push(out, { type: 'response.output_item.added', output_index: index, item: output[index]! });
      const part = { type: 'output_text' as const, text: '', annotations: [], logprobs: [] };
      push(out, { type: 'response.content_part.added', item_id: id, output_index: index, content_index: 0, part });
    }
    return open;
  };

  const toolCall = (out: ResponsesStreamEvent[], call: ToolCall) => {
    close(out, 'completed');
    calls.push(call);
    const isCustom = meta.toolNames.get(call.name)?.kind === 'custom';
    const done = toCallItem(call, meta.newItemId(isCustom ? 'ctc' : 'fc'), meta.toolNames);
    const index = output.length;
    output.push(done);
    const item_id = done.id;
    if (done.type === 'custom_tool_call') {
      push(out, { type: 'response.output_item.added', output_index: index, item: { ...done, input: '' } });
      push(out, { type: 'response.custom_tool_call_input.delta', item_id, output_index: index, delta: done.input });
      push(out, { type: 'response.custom_tool_call_input.done', item_id, output_index: index, input: done.input });
    } else {
      push(out, { type: 'response.output_item.added', output_index: index, item: { ...done, arguments: '', status: 'in_progress' } });
      push(out, { type: 'response.function_call_arguments.delta', item_id, output_index: index, delta: done.arguments });
      push(out, { type: 'response.function_call_arguments.done', item_id, output_index: index, name: done.name, arguments: done.arguments });
    }
    push(out, { type: 'response.output_item.done', output_index: index, item: done });
  };

  const settle = (end: ResponseEnd): ResponsesObject => {
    if (final) return final;
    const status = end.finishReason === 'length' ? 'incomplete' : 'completed';
    const items = output.slice();
    if (open) {
      const text = open.parts.join('');
      items[open.index] = open.kind === 'reasoning' ? reasoningItem(open.id, text, status) : messageItem(open.id, text, status);
    }
    final = responseObject(meta, items, end);
    return final;
  };

  const finish = (out: ResponsesStreamEvent[], end: ResponseEnd) => {
    const response = settle(end);
    close(out, end.finishReason === 'length' ? 'incomplete' : 'completed');
    push(out, { type: response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', response });
  };

  return {
    map(event, out) {
      switch (event.type) {
        case 'start':
          push(out, { type: 'response.created', response: responseObject(meta, []) });
          push(out, { type: 'response.in_progress', response: responseObject(meta, []) });
          return false;
        case 'reasoning-delta': {
          const item = ensureOpen(out, 'reasoning');
          item.parts.push(event.text);
          // Hot path (one per token): a literal of one fixed shape, no spread.
          out.push({ type: 'response.reasoning_summary_text.delta', item_id: item.id, output_index: item.index, summary_index: 0, delta: event.text, sequence_number: sequence++ });
          return false;
        }
        case 'text-delta': {
          const item = ensureOpen(out, 'message');
          item.parts.push(event.text);
          out.push({ type: 'response.output_text.delta', item_id: item.id, output_index: item.index, content_index: 0, delta: event.text, logprobs: NO_LOGPROBS, sequence_number: sequence++ });
          return false;
        }
        case 'tool-call':
          toolCall(out, event.call);
          return false;
        case 'finish':
          finish(out, event);
          return true;
      }
    },
    end() {
      throw new UpstreamError('The model stream ended before the response was complete.');
    },
    failed(status, message) {
      const out: ResponsesStreamEvent[] = [];
      const response = responseObject(meta, output.slice(), undefined, toResponsesErrorBody(status, message));
      push(out, { type: 'response.failed', response });
      return out;
    },
    settle,
    assistantMessage() {
      const texts = { message: [] as string[], reasoning: [] as string[] };
      output.forEach((item, index) => {
        if (open?.index === index) texts[open.kind].push(open.parts.join(''));
        else if (item.type === 'message') texts.message.push(item.content[0]?.text ?? '');
        else if (item.type === 'reasoning') texts.reasoning.push(item.summary[0]?.text ?? '');
      });
      const message: ChatMessage = { role: 'assistant', content: texts.message.join('') };
      const reasoning = texts.reasoning.join('');
      if (reasoning !== '') message.reasoning = reasoning;
      if (calls.length > 0) message.toolCalls = calls.slice();
      return message;
    },
  };
}

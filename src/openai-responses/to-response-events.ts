import type { ChatEvent } from '../core/chat-event.js';
import type { ChatMessage, ToolCall } from '../core/chat-request.js';
import type { ProxyError } from '../core/errors.js';
import { assertStreamFinished, SSE_PING, type StreamEncoder } from '../core/stream-encoder.js';
import { responseObject, toResponsesErrorBody, type ResponseEnd, type ResponsesMeta } from './response-object.js';
import type { ResponsesEventBody, ResponsesObject, ResponsesOutputItem } from './responses-output.js';
import { toCallItem } from './tool-names.js';
import { messageItem, reasoningItem } from './to-output-items.js';
import { addText, deltaHead, joinParts, REASONING_DELTA_MID, TEXT_DELTA_MID, type OpenItem } from './streamed-item.js';

// Canonical events → the Responses API's typed SSE stream: response.created and .in_progress first, then for
// each output item `output_item.added`, its part/delta/done events and `output_item.done` (Codex reads the final
// text from that one), and a terminal response.completed | .incomplete | .failed carrying the whole response;
// no terminator. Every frame names its event (`event: <type>`) and carries the next sequence_number.
// Reasoning and text arrive as deltas; Ollama hands over whole tool calls, so a call's arguments are one delta.

export interface ResponsesEncoder extends StreamEncoder<ChatEvent> {
  /** `response.failed` with the output so far, for a stream that broke after it started (the error handler writes it). */
  errorFrame(error: Pick<ProxyError, 'status' | 'message'>): string;
  /**
   * The response the terminal event for `end` carries, computed before that event is encoded (a stored response
   * is saved before the client can read the terminal event and ask for it); the same object afterwards.
   */
  settle(end: ResponseEnd): ResponsesObject;
  /** The answer so far as a canonical assistant message (what a stored conversation keeps). */
  assistantMessage(): ChatMessage;
}

export function createResponsesEncoder(meta: ResponsesMeta): ResponsesEncoder {
  let sequence = 0;
  let open: OpenItem | undefined;
  let final: ResponsesObject | undefined;
  let isComplete = false;
  const output: ResponsesOutputItem[] = [];
  /** The JSON of each finished output item, written once for its output_item.done and reused by the terminal event. */
  const itemJsons: string[] = [];
  const calls: ToolCall[] = [];

  /** One frame: the event stamped with the next sequence number, named by its type. */
  const frame = (body: ResponsesEventBody): string => {
    const event = { ...body, sequence_number: sequence++ };
    return `event: ${body.type}\ndata: ${JSON.stringify(event)}\n\n`;
  };
  /** A frame whose data is `{"type":…,<fields>,"sequence_number":…}`, the fields already JSON. */
  const rawFrame = (type: string, fields: string): string => `event: ${type}\ndata: {"type":"${type}",${fields},"sequence_number":${sequence++}}\n\n`;
  /** A response event: the response's JSON with its finished items' JSON spliced in (`output` is the last key but `usage`). */
  const responseFrame = (type: 'response.completed' | 'response.incomplete', response: ResponsesObject): string => {
    const json = JSON.stringify({ ...response, output: [] });
    const at = json.lastIndexOf('"output":[]');
    return rawFrame(type, `"response":${json.slice(0, at)}"output":[${itemJsons.join(',')}]${json.slice(at + 11)}`);
  };

  /** Closes the open item: its done events, each carrying the whole text, escaped once. */
  const close = (status: 'completed' | 'incomplete'): string => {
    if (!open) return '';
    const { id, index } = open;
    const text = joinParts(open);
    const escaped = JSON.stringify(text);
    const at = `"item_id":${JSON.stringify(id)},"output_index":${index}`;
    let out: string;
    let item: string;
    if (open.kind === 'reasoning') {
      out = rawFrame('response.reasoning_summary_text.done', `${at},"summary_index":0,"text":${escaped}`);
      out += rawFrame('response.reasoning_summary_part.done', `${at},"summary_index":0,"part":{"type":"summary_text","text":${escaped}}`);
      output[index] = reasoningItem(id, text, status);
      item = text === '' ? JSON.stringify(output[index]) : `{"type":"reasoning","id":${JSON.stringify(id)},"summary":[{"type":"summary_text","text":${escaped}}],"status":"${status}","content":[{"type":"reasoning_text","text":${escaped}}]}`;
    } else {
      const part = `{"type":"output_text","text":${escaped},"annotations":[],"logprobs":[]}`;
      out = rawFrame('response.output_text.done', `${at},"content_index":0,"text":${escaped},"logprobs":[]`);
      out += rawFrame('response.content_part.done', `${at},"content_index":0,"part":${part}`);
      output[index] = messageItem(id, text, status);
      item = `{"type":"message","id":${JSON.stringify(id)},"role":"assistant","status":"${status}","content":[${part}]}`;
    }
    open = undefined;
    itemJsons[index] = item;
    return out + rawFrame('response.output_item.done', `"output_index":${index},"item":${item}`);
  };

  const openItem = (kind: 'reasoning' | 'message'): string => {
    let out = close('completed');
    const id = meta.newItemId(kind === 'reasoning' ? 'rs' : 'msg');
    const index = output.length;
    open = { kind, id, index, text: '', parts: [], deltaHead: deltaHead(kind, id, index) };
    if (kind === 'reasoning') {
      output.push(reasoningItem(id, '', 'in_progress'));
      out += frame({ type: 'response.output_item.added', output_index: index, item: output[index]! });
      out += frame({ type: 'response.reasoning_summary_part.added', item_id: id, output_index: index, summary_index: 0, part: { type: 'summary_text', text: '' } });
    } else {
      output.push(messageItem(id, undefined, 'in_progress'));
      out += frame({ type: 'response.output_item.added', output_index: index, item: output[index]! });
      const part = { type: 'output_text' as const, text: '', annotations: [], logprobs: [] };
      out += frame({ type: 'response.content_part.added', item_id: id, output_index: index, content_index: 0, part });
    }
    return out;
  };

  const toolCall = (call: ToolCall): string => {
    let out = close('completed');
    calls.push(call);
    const isCustom = meta.toolNames.get(call.name)?.kind === 'custom';
    const done = toCallItem(call, meta.newItemId(isCustom ? 'ctc' : 'fc'), meta.toolNames);
    const index = output.length;
    output.push(done);
    const item_id = done.id;
    if (done.type === 'custom_tool_call') {
      out += frame({ type: 'response.output_item.added', output_index: index, item: { ...done, input: '' } });
      out += frame({ type: 'response.custom_tool_call_input.delta', item_id, output_index: index, delta: done.input });
      out += frame({ type: 'response.custom_tool_call_input.done', item_id, output_index: index, input: done.input });
    } else {
      out += frame({ type: 'response.output_item.added', output_index: index, item: { ...done, arguments: '', status: 'in_progress' } });
      out += frame({ type: 'response.function_call_arguments.delta', item_id, output_index: index, delta: done.arguments });
      out += frame({ type: 'response.function_call_arguments.done', item_id, output_index: index, name: done.name, arguments: done.arguments });
    }
    itemJsons[index] = JSON.stringify(done);
    return out + rawFrame('response.output_item.done', `"output_index":${index},"item":${itemJsons[index]}`);
  };

  const settle = (end: ResponseEnd): ResponsesObject => {
    if (final) return final;
    const status = end.finishReason === 'length' ? 'incomplete' : 'completed';
    const items = output.slice();
    if (open) {
      const text = joinParts(open);
      items[open.index] = open.kind === 'reasoning' ? reasoningItem(open.id, text, status) : messageItem(open.id, text, status);
    }
    final = responseObject(meta, items, end);
    return final;
  };

  const finish = (end: ResponseEnd): string => {
    isComplete = true;
    const response = settle(end);
    const closed = close(end.finishReason === 'length' ? 'incomplete' : 'completed');
    return closed + responseFrame(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', response);
  };

  return {
    format: 'sse',
    heartbeat: SSE_PING,
    get isComplete() {
      return isComplete;
    },
    encode(event) {
      switch (event.type) {
        case 'start': {
          // Both carry the same response (with the request's settings echoed): written once.
          const response = `"response":${JSON.stringify(responseObject(meta, []))}`;
          return rawFrame('response.created', response) + rawFrame('response.in_progress', response);
        }
        case 'reasoning-delta': {
          // Hot path (one per token): the item's fixed frame start, the fragment and the sequence number.
          const opened = open?.kind === 'reasoning' ? '' : openItem('reasoning');
          addText(open!, event.text);
          return `${opened}${open!.deltaHead}${JSON.stringify(event.text)}${REASONING_DELTA_MID}${sequence++}}\n\n`;
        }
        case 'text-delta': {
          const opened = open?.kind === 'message' ? '' : openItem('message');
          addText(open!, event.text);
          return `${opened}${open!.deltaHead}${JSON.stringify(event.text)}${TEXT_DELTA_MID}${sequence++}}\n\n`;
        }
        case 'tool-call':
          return toolCall(event.call);
        case 'finish':
          return finish(event);
      }
    },
    end() {
      assertStreamFinished(isComplete);
      return '';
    },
    errorFrame(error) {
      const response = responseObject(meta, output.slice(), undefined, toResponsesErrorBody(error.status, error.message));
      return frame({ type: 'response.failed', response });
    },
    settle,
    assistantMessage() {
      const texts = { message: [] as string[], reasoning: [] as string[] };
      output.forEach((item, index) => {
        if (open?.index === index) texts[open.kind].push(joinParts(open));
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

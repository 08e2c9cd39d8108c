import type { ChatResult } from '../core/chat-result.js';
import { responseObject, type ResponsesMeta } from './response-object.js';
import type { ResponsesObject, ResponsesOutputItem } from './responses-output.js';
import { toCallItem } from './tool-names.js';
import { messageItem, reasoningItem } from './to-output-items.js';

/** Canonical result → `response` object: reasoning, then the message, then one item per tool call. */
export function fromChatResult(result: ChatResult, meta: ResponsesMeta): ResponsesObject {
  const { message } = result;
  const calls = message.toolCalls ?? [];
  const itemStatus = result.finishReason === 'length' ? 'incomplete' : 'completed';
  const output: ResponsesOutputItem[] = [];
  if (message.reasoning) output.push(reasoningItem(meta.newItemId('rs'), message.reasoning, itemStatus));
  // A turn of tool calls only has no message item, as at OpenAI.
  if (message.content !== '' || calls.length === 0) output.push(messageItem(meta.newItemId('msg'), message.content, itemStatus));
  for (const call of calls) output.push(toCallItem(call, meta.newItemId(meta.toolNames.get(call.name)?.kind === 'custom' ? 'ctc' : 'fc'), meta.toolNames));
  return responseObject(meta, output, result);
}

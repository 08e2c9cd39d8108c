import type { Usage } from '../core/chat-result.js';
import type { ResponsesMessageItem, ResponsesReasoningItem, ResponsesUsage } from './responses-output.js';

type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

/** DeepSeek's thinking is its raw chain of thought: sent as the summary (what clients display) and as content. */
export function reasoningItem(id: string, text: string, status: ItemStatus): ResponsesReasoningItem {
  const item: ResponsesReasoningItem = { type: 'reasoning', id, summary: [], status };
  if (text !== '') {
    item.summary = [{ type: 'summary_text', text }];
    item.content = [{ type: 'reasoning_text', text }];
  }
  return item;
}

export function messageItem(id: string, text: string | undefined, status: ItemStatus): ResponsesMessageItem {
  return {
    type: 'message',
    id,
    role: 'assistant',
    status,
    content: text === undefined ? [] : [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
}

export function toResponsesUsage(usage: Usage): ResponsesUsage {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedTokens ?? 0 },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

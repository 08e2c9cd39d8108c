import type { ChatMessage } from '../core/chat-request.js';
import type { Usage } from '../core/chat-result.js';
import { encodeCompaction } from './compaction.js';
import { toResponsesUsage } from './to-output-items.js';
import type { ResponsesUsage } from './responses-output.js';

// POST /responses/compact answers OpenAI's `response.compaction` object: the user messages of the conversation,
// then one `compaction` item holding the summary of everything. A following request sends that output as its
// input (after any new items), and the compaction item becomes a system message with the summary.

export interface CompactedResponse {
  id: string;
  object: 'response.compaction';
  created_at: number;
  output: Record<string, unknown>[];
  usage: ResponsesUsage;
}

export interface CompactionMeta {
  id: string;
  createdAt: number;
  newItemId(prefix: 'msg' | 'cmp'): string;
}

export function toCompactedResponse(messages: readonly ChatMessage[], summary: string, usage: Usage, meta: CompactionMeta): CompactedResponse {
  const output: Record<string, unknown>[] = messages
    .filter((message) => message.role === 'user')
    .map((message) => ({ type: 'message', id: meta.newItemId('msg'), role: 'user', status: 'completed', content: [{ type: 'input_text', text: message.content }] }));
  output.push({ type: 'compaction', id: meta.newItemId('cmp'), encrypted_content: encodeCompaction(summary) });
  return { id: meta.id, object: 'response.compaction', created_at: meta.createdAt, output, usage: toResponsesUsage(usage) };
}

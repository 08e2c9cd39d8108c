import type { ChatEvent } from '../../../src/core/chat-event.js';
import type { Usage } from '../../../src/core/chat-result.js';

export const startedAt = new Date('2026-01-01T00:00:00Z');
export const usage: Usage = { promptTokens: 12, completionTokens: 30 };

export async function* eventStream(events: readonly ChatEvent[]): AsyncGenerator<ChatEvent> {
  for (const event of events) yield event;
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export const start: ChatEvent = { type: 'start', model: 'deepseek-r1:14b', createdAt: startedAt };
export const text = (value: string): ChatEvent => ({ type: 'text-delta', text: value });
export const reasoning = (value: string): ChatEvent => ({ type: 'reasoning-delta', text: value });
export const finish = (finishReason: 'stop' | 'length' | 'tool_calls' = 'stop', finishUsage: Usage = usage): ChatEvent => ({
  type: 'finish',
  finishReason,
  usage: finishUsage,
});

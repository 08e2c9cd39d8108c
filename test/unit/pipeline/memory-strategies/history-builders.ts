import type { ChatMessage } from '../../../../src/core/chat-request.js';
import {
  appendTurn,
  emptyHistory,
  type EstimateTokens,
  type MemorySettings,
  type SessionHistory,
} from '../../../../src/pipeline/memory-strategies/memory-strategy.js';

/** One token per character: sizes in these tests are plain string lengths. */
export const byLength: EstimateTokens = (messages) => messages.reduce((sum, message) => sum + message.content.length, 0);

export const user = (content: string): ChatMessage => ({ role: 'user', content });
export const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });
export const system = (content: string): ChatMessage => ({ role: 'system', content });

/** A history of exchanges `q<n>`/`a<n>` (each 10 characters: "q01-------"), n from 1. */
export function historyWith(turns: number, settings: Partial<MemorySettings> = {}, pinned: ChatMessage[] = []): SessionHistory {
  let history: SessionHistory = { ...emptyHistory({ strategy: 'sliding', memorySize: 1000, windowSize: 1000, ...settings }), system: pinned };
  for (let n = 1; n <= turns; n++) history = appendTurn(history, [user(pad(`q${n}`))], assistant(pad(`a${n}`)));
  return history;
}

export const pad = (text: string): string => text.padEnd(10, '-');

export const contents = (messages: readonly ChatMessage[]): string[] => messages.map((message) => message.content.replace(/-+$/, ''));

import type { ChatMessage } from '../../core/chat-request.js';
import { lowWaterOf, turnsOutside, windowStartOf, windowTurns, type WindowBudget } from './block-window.js';
import {
  appendTurn,
  newestTurnsWithin,
  splitIncoming,
  turnMessages,
  turnsTokens,
  type EstimateTokens,
  type MemoryStrategy,
  type SessionHistory,
  type Turn,
} from './memory-strategy.js';

// `summary`: every turn is sent until the history exceeds `memorySize`; then the older turns are folded
// into a running summary written by the model (after the response, see session-memory/session-summarizer.ts),
// keeping the newest `windowSize` tokens verbatim (at most lowWater × memorySize, so folds come in blocks even
// when the window is as large as the memory). The summary travels as a system message and changes only at a
// fold: between folds each prompt starts like the previous one (block-window.ts).

/** While summaries keep failing the history still grows; past this many times memorySize the oldest turns go. */
const HARD_CAP_FACTOR = 4;
export const SUMMARY_HEADING = 'Summary of the earlier conversation:';

export function summaryMessage(summary: string | undefined): ChatMessage[] {
  return summary ? [{ role: 'system', content: `${SUMMARY_HEADING}\n${summary}` }] : [];
}

/**
 * Appends the exchange and remembers where the prompt's window started (block-window.ts); only a runaway
 * history (failing summaries) is trimmed here.
 */
export function commitWithCap(history: SessionHistory, incoming: readonly ChatMessage[], answer: ChatMessage, estimate: EstimateTokens, window: WindowBudget): SessionHistory {
  const windowStart = windowStartOf(history, window, estimate);
  const next = { ...appendTurn(history, incoming, answer), windowStart };
  const cap = next.settings.memorySize * HARD_CAP_FACTOR;
  if (turnsTokens(next.turns, estimate) <= cap) return next;
  return { ...next, turns: newestTurnsWithin(next.turns, cap, estimate) };
}

/**
 * The summary strategy's window: every turn up to `memorySize`; past it, the newest `windowSize` tokens (at
 * most lowWater × memorySize) stay verbatim and the rest is folded. A newest turn larger than that is folded
 * too, since no prompt would carry it verbatim.
 */
export function fullWindow(history: SessionHistory): WindowBudget {
  const { memorySize, windowSize } = history.settings;
  return { budget: memorySize, keep: Math.min(windowSize, Math.floor(memorySize * lowWaterOf(history))) };
}

export const summaryStrategy: MemoryStrategy = {
  prepare(history, incoming, estimate) {
    const { system, rest } = splitIncoming(history, incoming);
    const turns = windowTurns(history, fullWindow(history), estimate);
    return [...system, ...summaryMessage(history.summary), ...turnMessages(turns), ...rest];
  },
  commit: (history, incoming, answer, estimate) => commitWithCap(history, incoming, answer, estimate, fullWindow(history)),
  foldCount: (history, estimate) => turnsOutside(history, fullWindow(history), estimate),
};

/** How long the summary may be: what the budget leaves beside the verbatim window. */
export function summaryBudget(history: SessionHistory): number {
  return Math.max(64, history.settings.memorySize - history.settings.windowSize);
}

function transcriptLine(message: ChatMessage): string {
  const calls = (message.toolCalls ?? []).map((call) => `\n[called ${call.name}(${call.argumentsJson})]`).join('');
  switch (message.role) {
    case 'user':
      return `User: ${message.content}`;
    case 'assistant':
      return `Assistant: ${message.content}${calls}`;
    case 'tool':
      return `Tool result${message.toolName ? ` (${message.toolName})` : ''}: ${message.content}`;
    case 'system':
      return `System: ${message.content}`;
  }
}

/** The messages of the summarizing call: the previous summary and the turns to fold, as a transcript. */
export function toSummaryPrompt(previous: string | undefined, turns: readonly Turn[], budgetTokens: number): ChatMessage[] {
  const words = Math.max(40, Math.floor(budgetTokens * 0.7));
  const instructions =
    'You maintain the running summary of a conversation between a user and an assistant. Merge the previous ' +
    'summary (if any) and the new exchanges into one updated summary. Keep facts, names, numbers, decisions, the ' +
    "user's preferences and open questions; drop greetings and filler. Write in the conversation's language, " +
    `in at most ${words} words. Reply with the summary only.`;
  const transcript = turnMessages(turns).map(transcriptLine).join('\n');
  const parts = [previous ? `Previous summary:\n${previous}` : 'Previous summary: (none)', `New exchanges:\n${transcript}`];
  return [
    { role: 'system', content: instructions },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

/** Identifies the folded turns, so a summary that arrives late is applied only if they are still the oldest. */
export function foldKey(turns: readonly Turn[]): string {
  return turns.map((turn) => `${turn.id}:${turn.messages.length}`).join(',');
}

/** Replaces the folded turns with the new summary; undefined when the history moved on meanwhile. */
export function applySummary(history: SessionHistory, folded: string, count: number, summary: string): SessionHistory | undefined {
  if (count < 1 || foldKey(history.turns.slice(0, count)) !== folded) return undefined;
  return { ...history, summary, summarizedTurns: history.summarizedTurns + count, turns: history.turns.slice(count) };
}

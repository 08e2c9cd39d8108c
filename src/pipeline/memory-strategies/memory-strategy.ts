import type { ChatMessage } from '../../core/chat-request.js';
import type { MemorySettings } from '../../core/session-directory.js';

// The strategy port of session memory (DESIGN.md 2.6): pure functions over a session's history.
// prepare() decides what goes upstream, commit() records an exchange, foldCount() says when older
// turns should be folded into the running summary (the summarizing call itself lives outside).

export type { MemorySettings, MemoryStrategyName } from '../../core/session-directory.js';

/** One exchange: the user's message(s), any tool rounds, and the assistant's answers. */
export interface Turn {
  /** Increasing within a session; lets a late summary check the turns it folded are still there. */
  id: number;
  messages: ChatMessage[];
}

export interface SessionHistory {
  settings: MemorySettings;
  /** Pinned: always sent, never dropped or folded. The latest request that carried system messages sets them. */
  system: ChatMessage[];
  summary?: string;
  /** How many turns the summary covers. */
  summarizedTurns: number;
  /** The model that wrote the summary (SUMMARIZER_MODEL, or the session's own when the key may not use it). */
  summaryModel?: string;
  turns: Turn[];
  nextTurnId: number;
  /**
   * Id of the first turn the last prompt carried (block-window.ts): the next prompt starts there too until
   * the window overflows. Absent in sessions written before it existed: the window then starts at the oldest turn.
   */
  windowStart?: number;
}

export type EstimateTokens = (messages: readonly ChatMessage[]) => number;

export interface MemoryStrategy {
  /** Pinned system messages, then (summary and) selected history, then the request's own messages. */
  prepare(history: SessionHistory, incoming: readonly ChatMessage[], estimate: EstimateTokens): ChatMessage[];
  /** The history after a successful exchange. */
  commit(history: SessionHistory, incoming: readonly ChatMessage[], answer: ChatMessage, estimate: EstimateTokens): SessionHistory;
  /** How many of the oldest turns should be folded into the summary now; 0 for none. */
  foldCount(history: SessionHistory, estimate: EstimateTokens): number;
}

export function emptyHistory(settings: MemorySettings): SessionHistory {
  return { settings, system: [], summarizedTurns: 0, turns: [], nextTurnId: 1 };
}

export function turnMessages(turns: readonly Turn[]): ChatMessage[] {
  return turns.flatMap((turn) => turn.messages);
}

export function turnsTokens(turns: readonly Turn[], estimate: EstimateTokens): number {
  return turns.reduce((sum, turn) => sum + estimate(turn.messages), 0);
}

/** The longest run of newest turns whose estimate fits the budget (a turn never splits). */
export function newestTurnsWithin(turns: readonly Turn[], budget: number, estimate: EstimateTokens): Turn[] {
  let used = 0;
  let start = turns.length;
  while (start > 0) {
    const size = estimate(turns[start - 1]!.messages);
    if (used + size > budget) break;
    used += size;
    start--;
  }
  return turns.slice(start);
}

/** A request's system messages replace the pinned ones; without any, the pinned ones are sent. */
export function splitIncoming(history: SessionHistory, incoming: readonly ChatMessage[]) {
  const system = incoming.filter((message) => message.role === 'system');
  const rest = incoming.filter((message) => message.role !== 'system');
  return { system: system.length > 0 ? system : history.system, rest };
}

/**
 * Adds the exchange as a new turn. Messages that start with tool results answer the previous turn's tool
 * calls, so they extend that turn: dropping or folding turns then never separates a call from its result.
 * Reasoning is not kept: DeepSeek's guidance is not to send earlier reasoning back to the model.
 */
export function appendTurn(history: SessionHistory, incoming: readonly ChatMessage[], answer: ChatMessage): SessionHistory {
  const { system, rest } = splitIncoming(history, incoming);
  const { reasoning: _reasoning, ...kept } = answer;
  const messages = [...rest, kept];
  const last = history.turns.at(-1);
  if (last && rest[0]?.role === 'tool') {
    const extended = { id: last.id, messages: [...last.messages, ...messages] };
    return { ...history, system, turns: [...history.turns.slice(0, -1), extended] };
  }
  const turn: Turn = { id: history.nextTurnId, messages };
  return { ...history, system, turns: [...history.turns, turn], nextTurnId: history.nextTurnId + 1 };
}

import { recentWindow, windowStartOf, windowTurns } from './block-window.js';
import { appendTurn, newestTurnsWithin, splitIncoming, turnMessages, type MemoryStrategy } from './memory-strategy.js';

/**
 * `sliding`: pinned system messages, then the recent turns within `windowSize` tokens. The window drops turns
 * in blocks (block-window.ts), so the prompt keeps its start for several turns and Ollama's KV cache holds.
 * The session keeps the newest turns that fit `memorySize` (and every turn of the window); older ones are forgotten.
 */
export const slidingWindow: MemoryStrategy = {
  prepare(history, incoming, estimate) {
    const { system, rest } = splitIncoming(history, incoming);
    return [...system, ...turnMessages(windowTurns(history, recentWindow(history), estimate)), ...rest];
  },
  commit(history, incoming, answer, estimate) {
    const windowStart = windowStartOf(history, recentWindow(history), estimate);
    const next = appendTurn(history, incoming, answer);
    const remembered = newestTurnsWithin(next.turns, next.settings.memorySize, estimate)[0]?.id ?? next.nextTurnId;
    const keepFrom = Math.min(remembered, windowStart);
    return { ...next, windowStart, turns: next.turns.filter((turn) => turn.id >= keepFrom) };
  },
  foldCount: () => 0,
};

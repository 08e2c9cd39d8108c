import { appendTurn, newestTurnsWithin, splitIncoming, turnMessages, type MemoryStrategy } from './memory-strategy.js';

/**
 * `sliding`: pinned system messages, then the newest turns that fit `windowSize` tokens. The session keeps
 * the newest turns that fit `memorySize`; older ones are forgotten.
 */
export const slidingWindow: MemoryStrategy = {
  prepare(history, incoming, estimate) {
    const { system, rest } = splitIncoming(history, incoming);
    const window = newestTurnsWithin(history.turns, history.settings.windowSize, estimate);
    return [...system, ...turnMessages(window), ...rest];
  },
  commit(history, incoming, answer, estimate) {
    const next = appendTurn(history, incoming, answer);
    return { ...next, turns: newestTurnsWithin(next.turns, next.settings.memorySize, estimate) };
  },
  foldCount: () => 0,
};

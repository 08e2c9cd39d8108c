import { newestTurnsWithin, splitIncoming, turnMessages, type MemoryStrategy } from './memory-strategy.js';
import { commitWithCap, foldBeyond, summaryMessage } from './summary.js';

/**
 * `hybrid`: the running summary of older turns plus a sliding window of the newest `windowSize` tokens.
 * Turns that leave the window are folded into the summary, so nothing falls between the two; the summary
 * is kept to what `memorySize` leaves beside the window.
 */
export const hybridStrategy: MemoryStrategy = {
  prepare(history, incoming, estimate) {
    const { system, rest } = splitIncoming(history, incoming);
    const window = newestTurnsWithin(history.turns, history.settings.windowSize, estimate);
    return [...system, ...summaryMessage(history.summary), ...turnMessages(window), ...rest];
  },
  commit: commitWithCap,
  foldCount: (history, estimate) => foldBeyond(history, history.settings.windowSize, estimate),
};

import { recentWindow, turnsOutside, windowTurns } from './block-window.js';
import { splitIncoming, turnMessages, type MemoryStrategy } from './memory-strategy.js';
import { commitWithCap, summaryMessage } from './summary.js';

/**
 * `hybrid`: the running summary of older turns plus a window of recent turns within `windowSize` tokens.
 * When the window overflows, a block of its oldest turns (down to lowWater × windowSize) is folded into the
 * summary at once, so summary and window change together and then stay put for several turns (prefix-stable,
 * block-window.ts). The summary is kept to what `memorySize` leaves beside the window.
 */
export const hybridStrategy: MemoryStrategy = {
  prepare(history, incoming, estimate) {
    const { system, rest } = splitIncoming(history, incoming);
    const window = windowTurns(history, recentWindow(history), estimate);
    return [...system, ...summaryMessage(history.summary), ...turnMessages(window), ...rest];
  },
  commit: (history, incoming, answer, estimate) => commitWithCap(history, incoming, answer, estimate, recentWindow(history)),
  foldCount: (history, estimate) => turnsOutside(history, recentWindow(history), estimate),
};

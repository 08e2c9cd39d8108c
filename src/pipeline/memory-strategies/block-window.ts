import { newestTurnsWithin, turnsTokens, type EstimateTokens, type SessionHistory, type Turn } from './memory-strategy.js';

// Prefix-stable history: Ollama reuses its KV cache for the part of a prompt that starts exactly like the
// previous prompt on the same slot. A window that drops its oldest turn on every turn changes the prompt's
// start every time, so the whole history is evaluated again per answer. Here the window keeps its first turn
// (`windowStart`) until it overflows its budget, and then drops a block at once: down to `lowWater` of the
// budget. Between two drops every prompt starts with the previous one, byte for byte.

/** Share of the budget the window shrinks to when it overflows (MEMORY_WINDOW_LOW_WATER); 1 = one turn at a time. */
export const DEFAULT_LOW_WATER = 0.6;

export interface WindowBudget {
  /** Tokens the window may hold. */
  budget: number;
  /** Tokens it keeps after a drop. */
  keep: number;
}

/** The window a strategy sends: `windowSize` tokens, shrinking to lowWater × windowSize (sliding, hybrid). */
export function recentWindow(history: SessionHistory): WindowBudget {
  const { windowSize } = history.settings;
  return { budget: windowSize, keep: Math.floor(windowSize * lowWaterOf(history)) };
}

export function lowWaterOf(history: SessionHistory): number {
  return history.settings.lowWater ?? DEFAULT_LOW_WATER;
}

/**
 * The turns the next prompt carries: from `windowStart` on while they fit the budget, else (an overflow) the
 * newest turns that fit `keep`. A turn never splits.
 */
export function windowTurns(history: SessionHistory, window: WindowBudget, estimate: EstimateTokens): Turn[] {
  const start = history.windowStart ?? 0;
  let from = 0;
  while (from < history.turns.length && history.turns[from]!.id < start) from++;
  const kept = from === 0 ? history.turns : history.turns.slice(from);
  if (turnsTokens(kept, estimate) <= window.budget) return kept;
  return newestTurnsWithin(history.turns, window.keep, estimate);
}

/** Where the window that `history` sends starts: remembered at commit so the next prompt starts the same way. */
export function windowStartOf(history: SessionHistory, window: WindowBudget, estimate: EstimateTokens): number {
  return windowTurns(history, window, estimate)[0]?.id ?? history.nextTurnId;
}

/** How many of the oldest turns the next prompt leaves out (they are what a summary folds). */
export function turnsOutside(history: SessionHistory, window: WindowBudget, estimate: EstimateTokens): number {
  return history.turns.length - windowTurns(history, window, estimate).length;
}

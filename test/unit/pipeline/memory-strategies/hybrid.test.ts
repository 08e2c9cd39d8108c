import { describe, expect, it } from 'vitest';
import { hybridStrategy } from '../../../../src/pipeline/memory-strategies/hybrid.js';
import { byLength, contents, historyWith, system, user } from './history-builders.js';

describe('hybridStrategy', () => {
  const settings = { strategy: 'hybrid' as const, memorySize: 200, windowSize: 40, lowWater: 1 };

  it('sends pinned system messages, the summary, then only the turns inside window_size', () => {
    const history = { ...historyWith(4, settings, [system('rules')]), summary: 'Ada likes tea.' };
    const sent = hybridStrategy.prepare(history, [user('q5')], byLength);
    expect(contents(sent)).toEqual(['rules', 'Summary of the earlier conversation:\nAda likes tea.', 'q3', 'a3', 'q4', 'a4', 'q5']);
  });

  it('folds the turns that left the window, even below memory_size', () => {
    expect(hybridStrategy.foldCount(historyWith(4, settings), byLength)).toBe(2);
  });

  it('folds a single turn that is larger than the window, which no prompt would carry', () => {
    expect(hybridStrategy.foldCount(historyWith(1, { ...settings, windowSize: 15 }), byLength)).toBe(1);
  });

  it('folds a block when the window overflows: down to low water (default 60 %) of window_size', () => {
    expect(hybridStrategy.foldCount(historyWith(5, { strategy: 'hybrid', memorySize: 200, windowSize: 80 }), byLength)).toBe(3);
  });

  it('asks for nothing while every turn is inside the window', () => {
    expect(hybridStrategy.foldCount(historyWith(2, settings), byLength)).toBe(0);
  });
});

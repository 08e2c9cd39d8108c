import { describe, expect, it } from 'vitest';
import {
  applySummary,
  foldKey,
  summaryBudget,
  summaryStrategy,
  toSummaryPrompt,
} from '../../../../src/pipeline/memory-strategies/summary.js';
import { assistant, byLength, contents, historyWith, pad, system, user } from './history-builders.js';

describe('summaryStrategy.prepare', () => {
  it('sends pinned system messages, the summary as a system message, the stored turns, then the new messages', () => {
    const history = { ...historyWith(2, { strategy: 'summary', memorySize: 100, windowSize: 20 }, [system('rules')]), summary: 'User is Ada.' };
    const sent = summaryStrategy.prepare(history, [user('q3')], byLength);
    expect(sent[1]).toEqual({ role: 'system', content: 'Summary of the earlier conversation:\nUser is Ada.' });
    expect(contents(sent)).toEqual(['rules', sent[1]!.content, 'q1', 'a1', 'q2', 'a2', 'q3']);
  });

  it('sends no summary message before there is a summary', () => {
    const sent = summaryStrategy.prepare(historyWith(1, { strategy: 'summary' }), [user('q2')], byLength);
    expect(sent.every((message) => message.role !== 'system')).toBe(true);
  });

  it('sends what the pending summary will leave (the newest window_size) once the turns exceed memory_size', () => {
    const history = historyWith(6, { strategy: 'summary', memorySize: 40, windowSize: 20 });
    expect(contents(summaryStrategy.prepare(history, [user('q7')], byLength))).toEqual(['q6', 'a6', 'q7']);
  });
});

describe('summaryStrategy.foldCount', () => {
  it('asks for nothing while the turns fit memory_size', () => {
    expect(summaryStrategy.foldCount(historyWith(4, { memorySize: 80, windowSize: 40 }), byLength)).toBe(0);
  });

  it('folds every turn older than the newest window_size once memory_size is exceeded', () => {
    expect(summaryStrategy.foldCount(historyWith(5, { memorySize: 80, windowSize: 40 }), byLength)).toBe(3);
  });

  it('folds in blocks even when window_size equals memory_size: down to low water (60 %) of memory_size', () => {
    expect(summaryStrategy.foldCount(historyWith(5, { memorySize: 80, windowSize: 80 }), byLength)).toBe(3);
  });

  it('folds even the newest turn when it alone is larger than window_size', () => {
    expect(summaryStrategy.foldCount(historyWith(3, { memorySize: 10, windowSize: 5 }), byLength)).toBe(3);
  });
});

describe('applySummary', () => {
  it('replaces the folded turns with the summary and counts them', () => {
    const history = historyWith(4);
    const next = applySummary(history, foldKey(history.turns.slice(0, 3)), 3, 'summary text')!;
    expect(next.summary).toBe('summary text');
    expect(next.summarizedTurns).toBe(3);
    expect(next.turns.map((turn) => turn.id)).toEqual([4]);
  });

  it('refuses a summary of turns that are no longer the oldest', () => {
    const history = historyWith(4);
    const folded = foldKey(history.turns.slice(0, 2));
    const moved = { ...history, turns: history.turns.slice(1) };
    expect(applySummary(moved, folded, 2, 'late')).toBeUndefined();
  });

  it('refuses a summary when a folded turn grew meanwhile (tool results)', () => {
    const history = historyWith(2);
    const folded = foldKey(history.turns.slice(0, 1));
    const grown = summaryStrategy.commit({ ...history, turns: history.turns.slice(0, 1) }, [{ role: 'tool', content: 'x', toolCallId: 'c' }], assistant('y'), byLength);
    expect(applySummary(grown, folded, 1, 'late')).toBeUndefined();
  });
});

describe('toSummaryPrompt', () => {
  it('asks for an updated summary from the previous one and a transcript of the folded turns', () => {
    const history = historyWith(2);
    const [instructions, request] = toSummaryPrompt('Earlier: Ada likes tea.', history.turns, 100);
    expect(instructions!.role).toBe('system');
    expect(instructions!.content).toContain('at most 70 words');
    expect(request!.content).toContain('Previous summary:\nEarlier: Ada likes tea.');
    expect(request!.content).toContain(`User: ${pad('q1')}\nAssistant: ${pad('a1')}\nUser: ${pad('q2')}`);
  });

  it('gives the summary what memory_size leaves beside the window', () => {
    expect(summaryBudget(historyWith(0, { memorySize: 4096, windowSize: 2048 }))).toBe(2048);
  });
});

describe('summaryStrategy.commit', () => {
  it('keeps every turn while summaries are merely late', () => {
    const history = historyWith(9, { strategy: 'summary', memorySize: 50, windowSize: 20 });
    expect(summaryStrategy.commit(history, [user(pad('q10'))], assistant(pad('a10')), byLength).turns).toHaveLength(10);
  });

  it('drops the oldest turns once failing summaries let the history grow past four times memory_size', () => {
    const history = historyWith(12, { strategy: 'summary', memorySize: 50, windowSize: 20 });
    const next = summaryStrategy.commit(history, [user(pad('q13'))], assistant(pad('a13')), byLength);
    expect(next.turns.map((turn) => turn.id)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });
});

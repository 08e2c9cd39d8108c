import { describe, expect, it } from 'vitest';
import { slidingWindow } from '../../../../src/pipeline/memory-strategies/sliding-window.js';
import { assistant, byLength, contents, historyWith, system, user } from './history-builders.js';

describe('slidingWindow.prepare', () => {
  it('sends the pinned system messages, then the newest turns that fit window_size, then the new messages (low water 1: one turn at a time)', () => {
    const history = historyWith(5, { windowSize: 40, lowWater: 1 }, [system('be brief')]);
    const sent = slidingWindow.prepare(history, [user('q6')], byLength);
    expect(contents(sent)).toEqual(['be brief', 'q4', 'a4', 'q5', 'a5', 'q6']);
  });

  it('keeps the pinned system messages however small the window is', () => {
    const history = historyWith(3, { windowSize: 5 }, [system('rules')]);
    expect(contents(slidingWindow.prepare(history, [user('next')], byLength))).toEqual(['rules', 'next']);
  });

  it("uses the request's own system messages instead of the pinned ones", () => {
    const history = historyWith(1, {}, [system('old rules')]);
    const sent = slidingWindow.prepare(history, [system('new rules'), user('q2')], byLength);
    expect(contents(sent)).toEqual(['new rules', 'q1', 'a1', 'q2']);
  });

  it('never splits a turn: one that does not fit is left out with everything older', () => {
    const history = historyWith(3, { windowSize: 30, lowWater: 1 });
    expect(contents(slidingWindow.prepare(history, [user('x')], byLength))).toEqual(['q3', 'a3', 'x']);
  });

  it('drops a block when the window overflows: down to low water (default 60 %) of window_size', () => {
    const history = historyWith(5, { windowSize: 80 }, [system('be brief')]);
    expect(contents(slidingWindow.prepare(history, [user('q6')], byLength))).toEqual(['be brief', 'q4', 'a4', 'q5', 'a5', 'q6']);
  });
});

describe('slidingWindow.commit', () => {
  it('records the new messages and the answer as a turn, without the reasoning', () => {
    const history = historyWith(0);
    const next = slidingWindow.commit(history, [user('hi')], { role: 'assistant', content: 'hello', reasoning: 'greet back' }, byLength);
    expect(next.turns).toEqual([{ id: 1, messages: [user('hi'), assistant('hello')] }]);
  });

  it('pins the system messages a request carried', () => {
    const next = slidingWindow.commit(historyWith(0), [system('rules'), user('hi')], assistant('ok'), byLength);
    expect(next.system).toEqual([system('rules')]);
    expect(contents(next.turns[0]!.messages)).toEqual(['hi', 'ok']);
  });

  it('forgets the oldest turns beyond memory_size', () => {
    const history = historyWith(4, { memorySize: 60, windowSize: 20 });
    const next = slidingWindow.commit(history, [user('q5'.padEnd(10, '-'))], assistant('a5'.padEnd(10, '-')), byLength);
    expect(next.turns.map((turn) => turn.id)).toEqual([3, 4, 5]);
  });

  it('adds tool results and the following answer to the turn that made the tool call', () => {
    let history = historyWith(1);
    const call = { role: 'assistant' as const, content: '', toolCalls: [{ id: 'c1', name: 'weather', argumentsJson: '{}' }] };
    history = slidingWindow.commit(history, [user('weather?')], call, byLength);
    history = slidingWindow.commit(history, [{ role: 'tool', content: 'sunny', toolCallId: 'c1' }], assistant('It is sunny.'), byLength);
    expect(history.turns).toHaveLength(2);
    expect(history.turns[1]!.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
  });

  it('never asks for a summary', () => {
    expect(slidingWindow.foldCount(historyWith(50, { memorySize: 10, windowSize: 10 }), byLength)).toBe(0);
  });
});

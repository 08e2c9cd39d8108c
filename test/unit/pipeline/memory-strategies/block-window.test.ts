import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../../src/core/chat-request.js';
import { hybridStrategy } from '../../../../src/pipeline/memory-strategies/hybrid.js';
import type { MemorySettings, MemoryStrategy, SessionHistory } from '../../../../src/pipeline/memory-strategies/memory-strategy.js';
import { slidingWindow } from '../../../../src/pipeline/memory-strategies/sliding-window.js';
import { applySummary, foldKey } from '../../../../src/pipeline/memory-strategies/summary.js';
import { assistant, byLength, historyWith, pad, system, user } from './history-builders.js';

// A 30-turn conversation through prepare/commit (and the summarizer's fold for hybrid), as session memory runs it:
// the prompt of each turn must start with the whole previous prompt, except at a block drop.

interface Turned {
  prompts: ChatMessage[][];
  drops: number[];
}

const key = (messages: readonly ChatMessage[]) => messages.map((message) => `${message.role}:${message.content}`);

function startsWith(prompt: readonly ChatMessage[], previous: readonly ChatMessage[]): boolean {
  const a = key(prompt);
  return key(previous).every((item, index) => a[index] === item);
}

function converse(strategy: MemoryStrategy, settings: MemorySettings, turns = 30): Turned {
  let history: SessionHistory = { ...historyWith(0, settings), system: [system('rules')] };
  const prompts: ChatMessage[][] = [];
  const drops: number[] = [];
  for (let n = 1; n <= turns; n++) {
    const incoming = [user(pad(`q${n}`))];
    const prompt = strategy.prepare(history, incoming, byLength);
    const previous = prompts.at(-1);
    if (previous !== undefined && !startsWith(prompt, previous)) drops.push(n);
    prompts.push(prompt);
    history = strategy.commit(history, incoming, assistant(pad(`a${n}`)), byLength);
    const fold = strategy.foldCount(history, byLength);
    if (fold > 0) history = applySummary(history, foldKey(history.turns.slice(0, fold)), fold, `summary up to turn ${n}`) ?? history;
  }
  return { prompts, drops };
}

describe('block-dropping windows', () => {
  it('sliding: the prompt keeps its start between drops, and a drop leaves 60 % of the window', () => {
    const { prompts, drops } = converse(slidingWindow, { strategy: 'sliding', memorySize: 200, windowSize: 100 });
    // 20 tokens a turn: the window holds 5 turns, a drop keeps 3 (60 tokens), so a drop every 3 turns.
    expect(drops).toEqual([7, 10, 13, 16, 19, 22, 25, 28]);
    expect(key(prompts[6]!)).toEqual(key([system('rules'), user(pad('q4')), assistant(pad('a4')), user(pad('q5')), assistant(pad('a5')), user(pad('q6')), assistant(pad('a6')), user(pad('q7'))]));
  });

  it('sliding with low water 1 drops one turn on every turn once full (the old behaviour)', () => {
    const { drops } = converse(slidingWindow, { strategy: 'sliding', memorySize: 200, windowSize: 100, lowWater: 1 });
    expect(drops).toEqual(Array.from({ length: 24 }, (_, index) => index + 7));
  });

  it('sliding keeps every turn of the window even when memory_size equals window_size', () => {
    const { drops } = converse(slidingWindow, { strategy: 'sliding', memorySize: 100, windowSize: 100 });
    expect(drops).toEqual([7, 10, 13, 16, 19, 22, 25, 28]);
  });

  it('hybrid: summary and window change together at a fold and stay put in between', () => {
    const { prompts, drops } = converse(hybridStrategy, { strategy: 'hybrid', memorySize: 300, windowSize: 100 });
    expect(drops).toEqual([7, 10, 13, 16, 19, 22, 25, 28]);
    expect(key(prompts[6]!).slice(0, 3)).toEqual(['system:rules', 'system:Summary of the earlier conversation:\nsummary up to turn 6', `user:${pad('q4')}`]);
  });
});

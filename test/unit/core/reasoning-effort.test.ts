import { describe, expect, it } from 'vitest';
import { effortFromBudget, isEffortWord, reasoningFromEffort, reasoningFromSwitch } from '../../../src/core/reasoning-effort.js';

describe('reasoning-effort', () => {
  it('turns none off and keeps every other word as the effort', () => {
    expect(reasoningFromEffort('none')).toEqual({ enabled: false });
    expect(reasoningFromEffort('xhigh')).toEqual({ enabled: true, effort: 'xhigh' });
  });

  it("lets DeepSeek's disabled switch win over any effort", () => {
    expect(reasoningFromSwitch(false, 'max')).toEqual({ enabled: false });
    expect(reasoningFromSwitch(true)).toEqual({ enabled: true });
    expect(reasoningFromSwitch(true, 'high')).toEqual({ enabled: true, effort: 'high' });
  });

  it('recognises the effort words', () => {
    expect(['none', 'minimal', 'max'].every(isEffortWord)).toBe(true);
    expect(isEffortWord('extreme')).toBe(false);
  });

  it.each([
    [1024, 'low'],
    [8192, 'medium'],
    [16000, 'high'],
    [64000, 'max'],
  ] as const)('maps a thinking budget of %d tokens to %s', (budget, effort) => {
    expect(effortFromBudget(budget)).toBe(effort);
  });
});

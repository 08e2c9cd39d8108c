import { describe, expect, it } from 'vitest';
import { reasoningFromEffort, reasoningFromSwitch } from '../../../src/core/reasoning-effort.js';

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
});

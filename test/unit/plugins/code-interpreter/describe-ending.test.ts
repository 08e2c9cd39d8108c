import { describe, expect, it } from 'vitest';
import { describeEnding, type ChildEnding } from '../../../../src/plugins/code-interpreter/describe-ending.js';

const limits = { memoryMb: 64 };
const ended = (ending: Partial<ChildEnding>): ChildEnding => ({ diagnostics: '', exit: { code: 0, signal: null }, ...ending });

describe('describeEnding', () => {
  it.each<[string, Partial<ChildEnding>, string | undefined]>([
    ['a clean run', { done: { type: 'done', ok: true } }, undefined],
    ['an error in the code', { done: { type: 'done', ok: false, reason: 'error', error: 'NameError: x' } }, 'NameError: x'],
    ['the runtime interrupting itself', { done: { type: 'done', ok: false, reason: 'timeout' } }, 'Timed out after 500 ms'],
    ['a runtime out of memory', { done: { type: 'done', ok: false, reason: 'memory', error: 'MemoryError' } }, 'Memory limit exceeded (64 MB)'],
    ['a kill at the deadline', { killReason: 'timeout', exit: { code: null, signal: 'SIGKILL' } }, 'Timed out after 500 ms'],
    ['a kill by the memory watchdog', { killReason: 'memory' }, 'Memory limit exceeded (64 MB)'],
    ['V8 running out of heap', { diagnostics: 'FATAL ERROR: Reached heap limit', exit: { code: null, signal: 'SIGABRT' } }, 'Memory limit exceeded (64 MB)'],
    ['the caller aborting', { killReason: 'aborted' }, 'Aborted'],
    ['a runner crash', { fatal: 'cannot load pyodide' }, 'Sandbox failed: cannot load pyodide'],
    ['a silent death', { exit: { code: null, signal: 'SIGSEGV' } }, 'Sandbox process exited unexpectedly (signal SIGSEGV)'],
  ])('describes %s', (_name, ending, expected) => {
    expect(describeEnding(ended(ending), limits, 500)).toBe(expected);
  });

  it('lets a kill reason win over what the child reported afterwards', () => {
    const ending = ended({ killReason: 'timeout', done: { type: 'done', ok: true } });
    expect(describeEnding(ending, limits, 500)).toBe('Timed out after 500 ms');
  });
});

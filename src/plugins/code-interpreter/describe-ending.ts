// Turns how a sandbox child ended into the one error message the caller (and the model) sees.
import type { ChildDone } from './child-message.js';

export type KillReason = 'timeout' | 'memory' | 'aborted' | 'closed' | 'startup' | 'protocol';

export interface ChildEnding {
  done?: ChildDone;
  /** The runner's own crash report (not the user code's error). */
  fatal?: string;
  /** Set when the parent killed the child, first reason wins. */
  killReason?: KillReason;
  exit?: { code: number | null; signal: string | null };
  /** The tail of the child's real stderr: V8 and Node write fatal errors there. */
  diagnostics: string;
}

const KILL_MESSAGES: Record<Exclude<KillReason, 'timeout' | 'memory'>, string> = {
  aborted: 'Aborted',
  closed: 'Sandbox was closed',
  startup: 'Sandbox did not start in time',
  protocol: 'Sandbox process broke its output protocol',
};

const V8_OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Out of memory|Array buffer allocation failed/i;

/** Undefined means the code ran to completion without error. */
export function describeEnding(ending: ChildEnding, limits: { memoryMb: number }, timeoutMs: number): string | undefined {
  const timedOut = `Timed out after ${timeoutMs} ms`;
  const outOfMemory = `Memory limit exceeded (${limits.memoryMb} MB)`;
  const { killReason, done } = ending;
  if (killReason === 'timeout') return timedOut;
  if (killReason === 'memory') return outOfMemory;
  if (killReason !== undefined) return KILL_MESSAGES[killReason];
  if (done !== undefined) {
    if (done.ok) return undefined;
    if (done.reason === 'timeout') return timedOut;
    if (done.reason === 'memory') return outOfMemory;
    return done.error ?? 'Error';
  }
  if (ending.fatal !== undefined) return `Sandbox failed: ${ending.fatal}`;
  if (V8_OUT_OF_MEMORY.test(ending.diagnostics)) return outOfMemory;
  const how = ending.exit?.signal ? `signal ${ending.exit.signal}` : `exit code ${ending.exit?.code ?? 'unknown'}`;
  return `Sandbox process exited unexpectedly (${how})`;
}

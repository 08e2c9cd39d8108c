// Runs untrusted, model-written Python (Pyodide) or JavaScript (QuickJS) code. Each run gets a
// fresh child process that is killed afterwards, so no state survives from one run to the
// next; one pre-warmed spare per language hides the runtime's load time (~1-3 s for Pyodide).
import { silentLogger, type Logger } from '../../core/logger.js';
import { SandboxChild, type ChildOutcome, type ChildSettings, type SandboxLanguage } from './sandbox-child.js';
import { availableParallelism } from 'node:os';
import { ChildPool, SandboxBusyError, type ChildPoolStats } from './child-pool.js';
import { chooseLaunchPlan, type LaunchPlan } from './sandbox-launch.js';
import { truncateText } from './output-collector.js';

export type { SandboxLanguage } from './sandbox-child.js';

export interface SandboxOptions {
  timeoutMs: number;
  memoryMb: number;
  maxOutputBytes: number;
  logger?: Logger;
  /** Put children in their own network namespace when running as root (default true). */
  useNetworkNamespace?: boolean;
  /** How long a child may take to load its runtime (default 60 s: Pyodide on a busy box). */
  startupTimeoutMs?: number;
  /** Sandbox processes alive at once, pre-warmed spares included (default: the CPU count, os.availableParallelism()). */
  maxConcurrent?: number;
  /** Runs that may wait for a free process; beyond it a run answers "busy" at once (default 4 × maxConcurrent). */
  maxQueued?: number;
}

export interface SandboxRunInput {
  language: SandboxLanguage;
  code: string;
  signal?: AbortSignal;
}

export interface SandboxResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** repr() of the last expression's value (Python) or its formatted value (JavaScript). */
  result?: string;
  /** One line: 'Timed out after 5000 ms', 'Memory limit exceeded (128 MB)', 'ZeroDivisionError: ...'. */
  error?: string;
  truncated: boolean;
  /** Time from handing the code to a ready child until the run ended. */
  durationMs: number;
}

export interface Sandbox {
  /** Failures of the code are results (ok: false); it throws only once closed or if no runner can start on this host. */
  run(input: SandboxRunInput): Promise<SandboxResult>;
  /** Kills the spares and any run in progress; settles when their processes are gone. */
  close(): Promise<void>;
  /** Processes alive now and at most so far, runs waiting (metrics, tests). */
  stats?(): ChildPoolStats;
}

export function createSandbox(options: SandboxOptions): Sandbox {
  const logger = options.logger ?? silentLogger;
  let plan: Promise<LaunchPlan> | undefined;
  const launchPlan = (): Promise<LaunchPlan> =>
    (plan ??= chooseLaunchPlan({ memoryMb: options.memoryMb, useNetworkNamespace: options.useNetworkNamespace ?? true, logger }));
  const maxConcurrent = options.maxConcurrent ?? availableParallelism();
  const limits = { maxConcurrent, maxQueued: options.maxQueued ?? 4 * maxConcurrent };
  const pool = new ChildPool(async (language) => {
    const child = new SandboxChild(await launchPlan(), childSettings(options, language));
    child.ready.catch((error: unknown) => {
      if (child.killReason !== 'closed') logger.error('code interpreter sandbox did not start', { language, error: String(error) });
    });
    return child;
  }, limits);

  return {
    async run({ language, code, signal }) {
      let child: SandboxChild;
      try {
        child = await pool.take(language, signal);
      } catch (error) {
        // A full queue is the model's to handle (retry later, or answer without running code), not a 5xx.
        if (!(error instanceof SandboxBusyError)) throw error;
        logger.warn('code interpreter busy: run refused', limits);
        return { ok: false, stdout: '', stderr: '', error: error.message, truncated: false, durationMs: 0 };
      }
      try {
        await child.ready;
        const started = Date.now();
        const outcome = await child.execute(code, options.timeoutMs, signal);
        return toResult(outcome, options.maxOutputBytes, Date.now() - started);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { ok: false, stdout: '', stderr: '', error: message, truncated: false, durationMs: 0 };
      } finally {
        pool.release(child);
      }
    },
    close() {
      return pool.close();
    },
    stats: () => pool.stats(),
  };
}

function childSettings(options: SandboxOptions, language: SandboxLanguage): ChildSettings {
  return {
    language,
    memoryMb: options.memoryMb,
    maxOutputBytes: options.maxOutputBytes,
    startupTimeoutMs: options.startupTimeoutMs ?? 60_000,
  };
}

function toResult(outcome: ChildOutcome, maxOutputBytes: number, durationMs: number): SandboxResult {
  const result = outcome.result === undefined ? undefined : truncateText(outcome.result, maxOutputBytes);
  const error = outcome.error === undefined ? undefined : truncateText(outcome.error, maxOutputBytes).text;
  return {
    ok: outcome.ok,
    stdout: outcome.stdout,
    stderr: outcome.stderr,
    truncated: outcome.truncated || (result?.truncated ?? false),
    durationMs,
    ...(result === undefined ? {} : { result: result.text }),
    ...(error === undefined ? {} : { error }),
  };
}

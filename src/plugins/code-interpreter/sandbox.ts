// Runs untrusted, model-written Python (Pyodide) or JavaScript (QuickJS) code. Each run gets a
// fresh child process that is killed afterwards, so no state survives from one run to the
// next; one pre-warmed spare per language hides the runtime's load time (~1-3 s for Pyodide).
import { silentLogger, type Logger } from '../../core/logger.js';
import { SandboxChild, type ChildOutcome, type ChildSettings, type SandboxLanguage } from './sandbox-child.js';
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
  run(input: SandboxRunInput): Promise<SandboxResult>;
  /** Kills the spares and any run in progress. */
  close(): Promise<void>;
}

export function createSandbox(options: SandboxOptions): Sandbox {
  const logger = options.logger ?? silentLogger;
  const settingsFor = (language: SandboxLanguage): ChildSettings => ({
    language,
    memoryMb: options.memoryMb,
    maxOutputBytes: options.maxOutputBytes,
    startupTimeoutMs: options.startupTimeoutMs ?? 60_000,
  });
  let plan: Promise<LaunchPlan> | undefined;
  const launchPlan = (): Promise<LaunchPlan> =>
    (plan ??= chooseLaunchPlan({ memoryMb: options.memoryMb, useNetworkNamespace: options.useNetworkNamespace ?? true, logger }));
  const spares = new Map<SandboxLanguage, SandboxChild>();
  const live = new Set<SandboxChild>();
  let isClosed = false;

  const spawnChild = async (language: SandboxLanguage): Promise<SandboxChild> => {
    const child = new SandboxChild(await launchPlan(), settingsFor(language));
    live.add(child);
    void child.ready.then(undefined, (error: unknown) => logger.error('code interpreter sandbox did not start', { language, error: String(error) }));
    return child;
  };
  const takeChild = async (language: SandboxLanguage): Promise<SandboxChild> => {
    const spare = spares.get(language);
    spares.delete(language);
    return spare !== undefined && !spare.hasExited() ? spare : spawnChild(language);
  };
  const warmSpare = async (language: SandboxLanguage): Promise<void> => {
    if (spares.has(language)) return;
    const child = await spawnChild(language);
    // Concurrent runs may race to refill the same slot: keep one spare, never leak the other.
    if (isClosed || spares.has(language)) child.kill('closed');
    else spares.set(language, child);
  };

  return {
    async run({ language, code, signal }) {
      if (isClosed) throw new Error('code interpreter sandbox is closed');
      const child = await takeChild(language);
      void warmSpare(language).catch(() => undefined);
      try {
        await child.ready;
        const started = Date.now();
        const outcome = await child.execute(code, options.timeoutMs, signal);
        return toResult(outcome, options.maxOutputBytes, Date.now() - started);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { ok: false, stdout: '', stderr: '', error: message, truncated: false, durationMs: 0 };
      } finally {
        live.delete(child);
      }
    },
    async close() {
      isClosed = true;
      for (const child of live) child.kill('closed');
      live.clear();
      spares.clear();
    },
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

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface AdapterCommandOptions {
  /** Operator-configured shell command (never built from request data: job details go in env). */
  command: string;
  cwd: string;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
  timeoutMs: number;
  onLine(line: string): void;
}

const KEPT_LINES = 5;

/**
 * Runs the command in its own process group, so cancelling also stops what the shell started (python, torchrun…).
 * Resolves on exit code 0; rejects with the last output lines otherwise, or with the abort reason.
 */
export function runAdapterCommand(options: AdapterCommandOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.command, { shell: true, cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const tail: string[] = [];
    let stopped: Error | undefined;
    const stop = (reason: Error) => {
      stopped ??= reason;
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // Already gone.
        }
      }
    };
    const onAbort = () => stop(options.signal.reason instanceof Error ? options.signal.reason : new Error('cancelled'));
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();
    const timer = setTimeout(() => stop(new Error(`the adapter command ran longer than ${options.timeoutMs} ms`)), options.timeoutMs);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        tail.push(line);
        if (tail.length > KEPT_LINES) tail.shift();
        options.onLine(line);
      });
    }
    child.once('error', (error) => stop(error));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      if (stopped) return reject(stopped);
      if (code === 0) return resolve();
      const ending = tail.length > 0 ? `: ${tail.join(' | ')}` : '';
      reject(new Error(`the adapter command ${code === null ? `was killed by ${signal}` : `exited with code ${code}`}${ending}`));
    });
  });
}

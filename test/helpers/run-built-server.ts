import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const MAIN = resolve(import.meta.dirname, '../../dist/main.js');

export interface ServerRun {
  /** Exit code once the process ended (null while it runs). */
  code: number | null;
  stdout: string;
  stderr: string;
  kill(): void;
  /** Sends a signal (SIGHUP: reload certificates and secrets). */
  signal(name: NodeJS.Signals): void;
  /** Resolves once stdout matches (checked on every chunk); rejects after timeoutMs or when the process exits. */
  untilStdout(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Settles with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string | null>;
}

/**
 * Starts the built server (`node dist/main.js`, built once by the global setup) with only the given environment
 * (plus PATH and a fresh DATA_DIR unless given), and resolves when stdout matches `untilStdout` or the process exits.
 */
export function runBuiltServer(env: Record<string, string>, untilStdout?: RegExp): Promise<ServerRun> {
  return new Promise((resolvePromise) => {
    const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'proxy-run-'));
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | string | null>((resolveExit) => child.once('exit', (code, signal) => resolveExit(code ?? signal)));
    const run: ServerRun = {
      exited,
      code: null, stdout: '', stderr: '', kill: () => child.kill('SIGTERM'), signal: (name) => child.kill(name),
      untilStdout: (pattern, timeoutMs = 10_000) => new Promise<void>((resolveWait, rejectWait) => {
        const check = () => {
          if (!pattern.test(run.stdout)) return false;
          done();
          resolveWait();
          return true;
        };
        const onExit = () => { done(); rejectWait(new Error(`the server exited before stdout matched ${pattern}`)); };
        const timer = setTimeout(() => { done(); rejectWait(new Error(`stdout did not match ${pattern} within ${timeoutMs} ms`)); }, timeoutMs);
        const done = () => { clearTimeout(timer); child.stdout.off('data', onData); child.off('exit', onExit); };
        const onData = () => setImmediate(check);
        if (check()) return;
        child.stdout.on('data', onData);
        child.once('exit', onExit);
      }),
    };
    child.stdout.on('data', (chunk: Buffer) => {
      run.stdout += chunk.toString();
      if (untilStdout?.test(run.stdout)) resolvePromise(run);
    });
    child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
    child.on('exit', (code) => {
      run.code = code;
      resolvePromise(run);
    });
  });
}

/** The URL the server logged in its `listening` line. */
export function listeningUrl(run: ServerRun): string | undefined {
  return /"url":"([^"]+)"/.exec(run.stdout)?.[1];
}

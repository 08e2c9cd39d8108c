// One sandbox child process: spawned with the launch plan, it loads its runtime, says "ready",
// runs exactly one job and exits. The parent enforces the wall clock (SIGKILL), watches its
// memory, bounds its output and turns however it ended into one ChildOutcome.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseChildMessage, type ChildMessage } from './child-message.js';
import { describeEnding, type ChildEnding, type KillReason } from './describe-ending.js';
import { createLineSplitter } from './line-splitter.js';
import { readRssBytes, watchMemory } from './memory-watchdog.js';
import { createOutputCollector, type OutputCollector } from './output-collector.js';
import { launchArgs, type LaunchPlan } from './sandbox-launch.js';

export type SandboxLanguage = 'python' | 'javascript';

export interface ChildSettings {
  language: SandboxLanguage;
  memoryMb: number;
  maxOutputBytes: number;
  startupTimeoutMs: number;
}

export interface ChildOutcome {
  ok: boolean;
  stdout: string;
  stderr: string;
  result?: string;
  error?: string;
  truncated: boolean;
}

// Wall-clock slack after the deadline before the hard kill: QuickJS interrupts itself at the
// deadline and reports cleanly; Python has no in-process interrupt here, so it is killed.
const KILL_GRACE_MS = 250;
const DIAGNOSTIC_BYTES = 4096;
const MB = 1024 * 1024;

function makeWorkDir(owner: number | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'code-sandbox-'));
  if (owner !== undefined) chownSync(dir, owner, owner);
  return dir;
}

export class SandboxChild {
  /** Settles when the runtime is loaded; rejects if the child cannot start. */
  readonly ready: Promise<void>;
  /** Settles once the process is gone and its work dir removed. */
  readonly closed: Promise<void>;
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly stdout: OutputCollector;
  private readonly stderr: OutputCollector;
  private readonly ending: ChildEnding = { diagnostics: '' };
  private readonly startupTimer: NodeJS.Timeout;
  private baselineRss: number | undefined;
  private isReady = false;
  private settleReady: (error?: Error) => void = () => {};

  constructor(plan: LaunchPlan, private readonly settings: ChildSettings) {
    const cwd = makeWorkDir(plan.sandboxUid);
    const ids = plan.uid === undefined ? {} : { uid: plan.uid, gid: plan.gid ?? plan.uid };
    const config = { language: settings.language, memoryMb: settings.memoryMb, maxOutputBytes: settings.maxOutputBytes };
    this.proc = spawn(plan.command, launchArgs(plan, config), { cwd, env: {}, stdio: 'pipe', ...ids });
    this.stdout = createOutputCollector(settings.maxOutputBytes);
    this.stderr = createOutputCollector(settings.maxOutputBytes);
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (error) => (error ? reject(error) : resolve());
    });
    this.ready.catch(() => undefined); // a spare that is never used must not be an unhandled rejection
    this.closed = new Promise<void>((resolve) =>
      this.proc.on('close', () => {
        rmSync(cwd, { recursive: true, force: true });
        resolve();
      }),
    );
    this.startupTimer = setTimeout(() => this.kill('startup'), settings.startupTimeoutMs);
    this.listen();
  }

  /** Why the parent killed this child, if it did. */
  get killReason(): KillReason | undefined {
    return this.ending.killReason;
  }

  hasExited(): boolean {
    return this.ending.exit !== undefined;
  }

  kill(reason: KillReason): void {
    this.ending.killReason ??= reason;
    this.proc.kill('SIGKILL');
  }

  async execute(code: string, timeoutMs: number, signal?: AbortSignal): Promise<ChildOutcome> {
    await this.ready;
    const onAbort = (): void => this.kill('aborted');
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => this.kill('timeout'), timeoutMs + KILL_GRACE_MS);
    const stopWatching = this.watchMemory();
    this.proc.stdin.end(`${JSON.stringify({ code, timeoutMs })}\n`);
    await this.closed;
    clearTimeout(timer);
    stopWatching();
    signal?.removeEventListener('abort', onAbort);
    return this.outcome(timeoutMs);
  }

  private watchMemory(): () => void {
    const pid = this.proc.pid;
    if (this.baselineRss === undefined || pid === undefined) return () => {};
    // The runtimes may legitimately grow by their heap cap plus the in-memory disk budget.
    const limit = this.baselineRss + 2 * this.settings.memoryMb * MB + 64 * MB;
    return watchMemory(pid, limit, () => this.kill('memory'));
  }

  private outcome(timeoutMs: number): ChildOutcome {
    const error = describeEnding(this.ending, this.settings, timeoutMs);
    const result = this.ending.done?.result;
    return {
      ok: error === undefined,
      stdout: this.stdout.text(),
      stderr: this.stderr.text(),
      truncated: this.stdout.isTruncated() || this.stderr.isTruncated(),
      ...(result === undefined ? {} : { result }),
      ...(error === undefined ? {} : { error }),
    };
  }

  private listen(): void {
    const lineLimit = 16 * (this.settings.maxOutputBytes + 1) + 4096;
    const onLine = (line: string): void => {
      const message = parseChildMessage(line);
      if (message) this.handle(message);
    };
    this.proc.stdout.on('data', createLineSplitter(lineLimit, onLine, () => this.kill('protocol')));
    this.proc.stderr.on('data', (chunk: Buffer) => {
      this.ending.diagnostics = (this.ending.diagnostics + chunk.toString('utf8')).slice(-DIAGNOSTIC_BYTES);
    });
    this.proc.stdin.on('error', () => undefined); // the child may die before reading its job
    this.proc.on('error', (error) => {
      this.ending.fatal ??= error.message;
      if (!this.isReady) this.settleReady(new Error(`Sandbox failed: ${error.message}`));
    });
    this.proc.on('exit', (code, signal) => {
      this.ending.exit = { code, signal };
      clearTimeout(this.startupTimer);
      if (!this.isReady) this.settleReady(new Error(describeEnding(this.ending, this.settings, 0)));
    });
  }

  private handle(message: ChildMessage): void {
    if (message.type === 'ready') {
      this.isReady = true;
      clearTimeout(this.startupTimer);
      const markReady = (rss: number | undefined): void => {
        this.baselineRss = rss;
        this.settleReady();
      };
      void readRssBytes(this.proc.pid ?? -1).then(markReady);
    } else if (message.type === 'output') {
      (message.stream === 'stdout' ? this.stdout : this.stderr).append(message.text);
    } else if (message.type === 'done') {
      this.ending.done = message;
      this.proc.kill('SIGKILL'); // it exits by itself; this makes sure nothing follows the verdict
    } else {
      this.ending.fatal = message.error;
    }
  }
}

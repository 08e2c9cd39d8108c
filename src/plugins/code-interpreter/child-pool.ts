// Fresh child per run, plus one pre-warmed spare per language: a spare has loaded its runtime
// but never run code, so handing it out is as clean as starting a new process.
// Every child process counts against one cap (CODE_INTERPRETER_MAX_CONCURRENT): the running ones, the
// starting ones and the spares. A run that finds the cap reached evicts a spare of the other language or
// waits in a bounded queue; when the queue is full it fails at once with SandboxBusyError. So memory is
// bounded by cap × CODE_INTERPRETER_MEMORY_MB whatever the traffic.
import type { SandboxChild, SandboxLanguage } from './sandbox-child.js';

export class SandboxBusyError extends Error {
  constructor(maxConcurrent: number, maxQueued: number) {
    super(`the code interpreter is busy (${maxConcurrent} programs running, ${maxQueued} waiting); try again shortly`);
    this.name = 'SandboxBusyError';
  }
}

export interface ChildPoolLimits {
  /** Child processes alive at once, spares included. */
  maxConcurrent: number;
  /** Runs waiting for a slot; beyond it a run fails with SandboxBusyError. */
  maxQueued: number;
}

export interface ChildPoolStats {
  /** Child processes alive now (running, starting or spare). */
  live: number;
  /** The most that were ever alive at once. */
  peakLive: number;
  /** Runs waiting for a slot now. */
  waiting: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class ChildPool {
  private readonly spares = new Map<SandboxLanguage, SandboxChild>();
  private readonly live = new Set<SandboxChild>();
  /** Slots promised to runs that are about to spawn (counted before the process exists). */
  private reserved = 0;
  private peakLive = 0;
  private readonly waiters: Waiter[] = [];
  private isClosed = false;

  constructor(
    private readonly spawnChild: (language: SandboxLanguage) => Promise<SandboxChild>,
    private readonly limits: ChildPoolLimits,
  ) {}

  stats(): ChildPoolStats {
    return { live: this.live.size + this.reserved, peakLive: this.peakLive, waiting: this.waiters.length };
  }

  /** A ready-or-loading child for one run; the caller must release it when the run ends. */
  async take(language: SandboxLanguage, signal?: AbortSignal): Promise<SandboxChild> {
    if (this.isClosed) throw new Error('code interpreter sandbox is closed');
    const spare = this.spares.get(language);
    this.spares.delete(language);
    if (spare !== undefined && !spare.hasExited()) {
      void this.refill(language).catch(() => undefined);
      return spare;
    }
    await this.reserveSlot(signal);
    const child = await this.start(language);
    void this.refill(language).catch(() => undefined);
    return child;
  }

  /** The run is over: its slot goes to the next waiting run once the process has exited (at once after a run). */
  release(child: SandboxChild): void {
    if (!child.hasExited()) child.kill('closed');
  }

  async close(): Promise<void> {
    this.isClosed = true;
    const children = [...this.live];
    for (const child of children) child.kill('closed');
    this.live.clear();
    this.spares.clear();
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('code interpreter sandbox is closed'));
    await Promise.all(children.map((child) => child.closed));
  }

  private used(): number {
    return this.live.size + this.reserved;
  }

  /** Takes one slot (reserved until the child is spawned): at once, after evicting a spare, or after waiting. */
  private async reserveSlot(signal?: AbortSignal): Promise<void> {
    if (this.used() >= this.limits.maxConcurrent) this.evictSpare();
    if (this.used() < this.limits.maxConcurrent && this.waiters.length === 0) {
      this.reserve();
      return;
    }
    if (this.waiters.length >= this.limits.maxQueued) throw new SandboxBusyError(this.limits.maxConcurrent, this.limits.maxQueued);
    // wakeWaiter reserves the slot for us before it resolves.
    await this.waitForSlot(signal);
  }

  private reserve(): void {
    this.reserved++;
    this.peakLive = Math.max(this.peakLive, this.used());
  }

  private waitForSlot(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) this.waiters.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve: () => (signal?.removeEventListener('abort', onAbort), resolve()),
        reject: (error) => (signal?.removeEventListener('abort', onAbort), reject(error)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Kills one spare; its slot frees when its process is gone (start() watches every child's exit). */
  private evictSpare(): void {
    for (const [language, spare] of this.spares) {
      this.spares.delete(language);
      spare.kill('closed');
      return;
    }
  }

  private forget(child: SandboxChild): void {
    if (!this.live.delete(child)) return;
    this.wakeWaiter();
  }

  private wakeWaiter(): void {
    if (this.used() >= this.limits.maxConcurrent) return;
    const waiter = this.waiters.shift();
    if (waiter === undefined) return;
    this.reserve();
    waiter.resolve();
  }

  private async start(language: SandboxLanguage): Promise<SandboxChild> {
    let child: SandboxChild;
    try {
      child = await this.spawnChild(language);
    } finally {
      this.reserved--;
    }
    if (this.isClosed) child.kill('closed');
    else this.live.add(child);
    // Every child frees its slot when its process is gone, whoever ended it (a run, an eviction, a failed start).
    void child.closed.then(() => {
      if (this.spares.get(language) === child) this.spares.delete(language);
      this.forget(child);
    });
    return child;
  }

  /** Keeps one spare per language, only while a slot is free and no run is waiting for one. */
  private async refill(language: SandboxLanguage): Promise<void> {
    if (this.isClosed || this.spares.has(language)) return;
    if (this.waiters.length > 0 || this.used() >= this.limits.maxConcurrent) return;
    this.reserve();
    const child = await this.start(language);
    // Concurrent runs may race to refill the same slot: keep one spare, never leak the other.
    if (this.isClosed || this.spares.has(language)) {
      child.kill('closed');
    } else {
      this.spares.set(language, child);
    }
  }
}

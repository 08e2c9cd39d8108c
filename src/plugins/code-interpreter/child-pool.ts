// Fresh child per run, plus one pre-warmed spare per language: a spare has loaded its runtime
// but never run code, so handing it out is as clean as starting a new process.
import type { SandboxChild, SandboxLanguage } from './sandbox-child.js';

export class ChildPool {
  private readonly spares = new Map<SandboxLanguage, SandboxChild>();
  private readonly live = new Set<SandboxChild>();
  private isClosed = false;

  constructor(private readonly spawnChild: (language: SandboxLanguage) => Promise<SandboxChild>) {}

  /** A ready-or-loading child for one run; the caller must release it when the run ends. */
  async take(language: SandboxLanguage): Promise<SandboxChild> {
    if (this.isClosed) throw new Error('code interpreter sandbox is closed');
    const spare = this.spares.get(language);
    this.spares.delete(language);
    const child = spare !== undefined && !spare.hasExited() ? spare : await this.start(language);
    void this.refill(language).catch(() => undefined);
    return child;
  }

  release(child: SandboxChild): void {
    this.live.delete(child);
  }

  async close(): Promise<void> {
    this.isClosed = true;
    const children = [...this.live];
    for (const child of children) child.kill('closed');
    this.live.clear();
    this.spares.clear();
    await Promise.all(children.map((child) => child.closed));
  }

  private async start(language: SandboxLanguage): Promise<SandboxChild> {
    const child = await this.spawnChild(language);
    if (this.isClosed) child.kill('closed');
    else this.live.add(child);
    return child;
  }

  private async refill(language: SandboxLanguage): Promise<void> {
    if (this.isClosed || this.spares.has(language)) return;
    const child = await this.start(language);
    // Concurrent runs may race to refill the same slot: keep one spare, never leak the other.
    if (this.isClosed || this.spares.has(language)) {
      child.kill('closed');
      this.live.delete(child);
    } else {
      this.spares.set(language, child);
    }
  }
}

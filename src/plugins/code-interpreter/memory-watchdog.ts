// Last line of the memory limit. The runtimes cap their own heaps (wasm linear memory, the
// Pyodide in-memory disk, V8's old space); this kills the child if its resident memory still
// grows past what those caps allow, e.g. through a leak in a runtime we did not foresee.
import { readFile } from 'node:fs/promises';

const POLL_MS = 100;

export async function readRssBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined; // not Linux, or the process is gone
  }
}

/** Calls onExceeded once when the process's RSS goes above limitBytes; returns a stop function. */
export function watchMemory(pid: number, limitBytes: number, onExceeded: () => void): () => void {
  let isStopped = false;
  const timer = setInterval(() => {
    void readRssBytes(pid).then((rss) => {
      if (isStopped || rss === undefined || rss <= limitBytes) return;
      isStopped = true;
      clearInterval(timer);
      onExceeded();
    });
  }, POLL_MS);
  timer.unref();
  return () => {
    isStopped = true;
    clearInterval(timer);
  };
}

import { formatBytes } from '../model-admin/memory-limit.js';

/** One line of download progress: `[##########----------]  50%  2.2 GiB / 4.4 GiB  pulling 1a2b3c4d5e6f`. Pure. */
export function formatProgressBar(status: string, completed: number, total: number, width = 30): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, completed / total)) : 0;
  const filled = Math.round(fraction * width);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}  ${formatBytes(completed)} / ${formatBytes(total)}  ${status}`;
}

export interface ProgressStep {
  status: string;
  total?: number;
  completed?: number;
}

/**
 * Turns a stream of pull steps into terminal output: a bar redrawn in place (`\r`) while a blob downloads,
 * one plain line per other status. Redraws only when the shown percentage or status changes.
 */
export function createProgressRenderer(write: (text: string) => void) {
  let barLine: string | undefined;
  let lastKey = '';
  const endBar = () => {
    if (barLine !== undefined) write('\n');
    barLine = undefined;
  };
  return {
    step(step: ProgressStep): void {
      if (step.total !== undefined && step.total > 0) {
        const completed = step.completed ?? 0;
        const key = `${step.status}:${Math.floor((completed / step.total) * 100)}`;
        if (key === lastKey) return;
        if (barLine !== undefined && !lastKey.startsWith(`${step.status}:`)) endBar();
        lastKey = key;
        const line = formatProgressBar(step.status, completed, step.total);
        write(`\r${line.padEnd(barLine?.length ?? 0)}`);
        barLine = line;
        return;
      }
      endBar();
      lastKey = step.status;
      write(`${step.status}\n`);
    },
    end: endBar,
  };
}

import type BetterSqlite3 from 'better-sqlite3';
import type { KeyChangeListener, KeyChangeWatch } from './key-store.js';

// SQLite has no notifications, but `PRAGMA data_version` changes whenever another connection (the CLI, a
// second server on the same file) commits. Reading it is a few microseconds without I/O beyond the shared
// WAL index, so a 250 ms poll keeps a revocation made elsewhere under a second at no measurable cost. It
// also moves for commits that touch no key (the other process's audit rows): that costs a cache refill.

export const DATA_VERSION_POLL_MS = 250;

export function watchDataVersion(db: BetterSqlite3.Database, listener: KeyChangeListener, pollMs = DATA_VERSION_POLL_MS): KeyChangeWatch {
  const read = () => db.pragma('data_version', { simple: true }) as number;
  let seen = read();
  const timer = setInterval(() => {
    if (!db.open) return;
    const current = read();
    if (current === seen) return;
    seen = current;
    listener.changed();
  }, pollMs);
  timer.unref();
  listener.live?.(true);
  return {
    async close() {
      clearInterval(timer);
    },
  };
}

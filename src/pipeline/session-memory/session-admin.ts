import { NotFoundError } from '../../core/errors.js';
import type { AdminSessionView, SessionAdmin } from '../../core/session-directory.js';
import type { SessionIndex } from './session-index.js';
import type { SessionRegistry } from './session-registry.js';
import { toSessionView } from './session-registry.js';
import type { SessionRecord } from './session-record.js';

// The admin API's view of sessions: any owner's, listed from the index of what this instance has written.

function missing(id: string): NotFoundError {
  return new NotFoundError(`No session '${id}' was found.`);
}

export function createSessionAdmin(registry: SessionRegistry, index: SessionIndex): SessionAdmin {
  const view = (id: string, record: SessionRecord): AdminSessionView => ({ ...toSessionView(id, record, registry.estimateFor(record)), owner: record.owner });
  const load = async (id: string): Promise<SessionRecord | undefined> => {
    // An unreadable record (e.g. sealed with another key) is listed by nobody rather than failing the whole list.
    const record = await registry.store.load(id).catch((error: unknown) => {
      if (error instanceof Error && error.name === 'UnreadableSessionError') return undefined;
      throw error;
    });
    if (record === undefined) index.forget(id);
    return record;
  };
  return {
    async list(limit) {
      const ids = index.ids().slice(0, limit);
      const records = await Promise.all(ids.map(load));
      return ids.flatMap((id, i) => (records[i] ? [view(id, records[i])] : []));
    },
    async inspect(id) {
      const record = await load(id);
      if (!record) throw missing(id);
      return view(id, record);
    },
    async remove(id) {
      const release = await registry.lock.acquire(id, new AbortController().signal);
      try {
        if (!(await load(id))) throw missing(id);
        await registry.store.delete(id);
      } finally {
        await release();
      }
    },
  };
}

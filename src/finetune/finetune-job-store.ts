import type { KvStore } from '../stores/kv-store.js';
import type { FinetuneJob } from './finetune-job.js';

// Jobs persisted in a KvStore (SQLite in DATA_DIR by default) so they survive restarts. The KvStore has no
// key listing, so an index key keeps the ids in creation order. Only this process writes them.

const INDEX_KEY = 'finetune:jobs';
const jobKey = (id: string) => `finetune:job:${id}`;

export interface FinetuneJobStore {
  save(job: FinetuneJob): Promise<void>;
  get(id: string): Promise<FinetuneJob | undefined>;
  /** Oldest first. */
  list(): Promise<FinetuneJob[]>;
}

export function createFinetuneJobStore(store: KvStore): FinetuneJobStore {
  const readIndex = async (): Promise<string[]> => JSON.parse((await store.get(INDEX_KEY)) ?? '[]') as string[];
  const get = async (id: string): Promise<FinetuneJob | undefined> => {
    const text = await store.get(jobKey(id));
    return text === undefined ? undefined : (JSON.parse(text) as FinetuneJob);
  };
  // Writes are serialised so two index updates never race (read-modify-write).
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    save: (job) =>
      serial(async () => {
        const index = await readIndex();
        await store.set(jobKey(job.id), JSON.stringify(job));
        if (!index.includes(job.id)) await store.set(INDEX_KEY, JSON.stringify([...index, job.id]));
      }),
    get,
    async list() {
      const jobs = await Promise.all((await readIndex()).map(get));
      return jobs.filter((job): job is FinetuneJob => job !== undefined);
    },
  };
}

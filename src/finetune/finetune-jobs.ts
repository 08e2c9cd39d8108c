import { randomUUID } from 'node:crypto';
import { NotFoundError, ProxyError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { createJob, TERMINAL_STATUSES, transition, withEvent, type FinetuneJob, type TrainerName } from './finetune-job.js';
import type { FinetuneJobStore } from './finetune-job-store.js';
import type { Trainer, TrainingInput } from './trainer.js';

// Runs fine-tune jobs one at a time (training saturates the machine), persisting every change.
// Datasets stay in memory only: a job that did not finish before the process ended is failed on restart.

export interface PreparedJob {
  trainer: TrainerName;
  baseModel: string;
  model: string;
  trainingData: string;
  input: Omit<TrainingInput, 'jobId'>;
}

export interface FinetuneJobsOptions {
  store: FinetuneJobStore;
  trainers: Readonly<Record<TrainerName, Trainer>>;
  now?: () => Date;
  newId?: () => string;
  logger?: Logger;
}

export interface FinetuneJobs {
  /** Marks jobs a previous process left queued or running as failed; returns how many. */
  recover(): Promise<number>;
  /** Validates with the trainer (throws 400s), then queues. */
  submit(job: PreparedJob): Promise<FinetuneJob>;
  get(id: string): Promise<FinetuneJob>;
  list(): Promise<FinetuneJob[]>;
  cancel(id: string): Promise<FinetuneJob>;
  /** Whether a queued or running job will create this model. */
  isPending(model: string): boolean;
  /** Resolves when no job is queued or running. */
  idle(): Promise<void>;
  /** Stops the running job and fails what is left (the server is shutting down). */
  close(): Promise<void>;
}

class JobStopped extends Error {
  constructor(readonly status: 'cancelled' | 'failed', message: string) {
    super(message);
  }
}

export function createFinetuneJobs(options: FinetuneJobsOptions): FinetuneJobs {
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? (() => `ftjob-${randomUUID().replaceAll('-', '').slice(0, 24)}`);
  const logger = options.logger ?? silentLogger;
  const active = new Map<string, { job: FinetuneJob; input: TrainingInput; abort: AbortController }>();
  const queue: string[] = [];
  let running: Promise<void> | undefined;
  let closed = false;

  // The store serialises writes, so awaiting the last one waits for all of them.
  let lastSave: Promise<void> = Promise.resolve();
  const save = (job: FinetuneJob): void => {
    lastSave = options.store.save(job).catch((error: unknown) => logger.error('finetune job not saved', { jobId: job.id, error: String(error) }));
  };
  const update = (id: string, change: (job: FinetuneJob) => FinetuneJob): FinetuneJob | undefined => {
    const entry = active.get(id);
    if (!entry) return undefined;
    entry.job = change(entry.job);
    save(entry.job);
    return entry.job;
  };

  async function run(id: string): Promise<void> {
    const entry = active.get(id)!;
    update(id, (job) => transition(job, 'running', 'Training started.', now()));
    const report = (message: string, progress?: number) => update(id, (job) => withEvent(job, message, now(), progress));
    try {
      await options.trainers[entry.job.trainer].train(entry.input, { signal: entry.abort.signal, report });
      update(id, (job) => transition(job, 'succeeded', `Model '${job.model}' is ready: use it as "model": "${job.model}".`, now()));
    } catch (error) {
      const stopped = entry.abort.signal.reason;
      const [status, message] = stopped instanceof JobStopped ? [stopped.status, stopped.message] : ['failed' as const, errorText(error)];
      update(id, (job) => transition(job, status, message, now()));
    } finally {
      active.delete(id);
    }
  }

  function pump(): void {
    if (running || closed) return;
    const id = queue.shift();
    if (id === undefined) return;
    running = run(id).finally(() => {
      running = undefined;
      pump();
    });
  }

  // Reads wait for pending writes, so a job that just left `active` is read in its final state.
  const find = async (id: string): Promise<FinetuneJob> => {
    const job = active.get(id)?.job ?? (await lastSave.then(() => options.store.get(id)));
    if (!job) throw new NotFoundError(`No fine-tune job '${id}'.`);
    return job;
  };

  function stop(id: string, reason: JobStopped): FinetuneJob | undefined {
    const entry = active.get(id)!;
    const queuedAt = queue.indexOf(id);
    if (queuedAt < 0) {
      entry.abort.abort(reason);
      return update(id, (job) => withEvent(job, `Stopping: ${reason.message}`, now()));
    }
    queue.splice(queuedAt, 1);
    const job = update(id, (current) => transition(current, reason.status, reason.message, now()));
    active.delete(id);
    return job;
  }

  return {
    async recover() {
      const stale = (await options.store.list()).filter((job) => !TERMINAL_STATUSES.has(job.status));
      for (const job of stale) {
        await options.store.save(transition(job, 'failed', `Interrupted: the server restarted while the job was ${job.status}.`, now()));
      }
      return stale.length;
    },
    async submit(prepared) {
      if (closed) throw new ProxyError('service_unavailable', 'The server is shutting down.');
      const id = newId();
      const input: TrainingInput = { ...prepared.input, jobId: id };
      options.trainers[prepared.trainer].validate(input);
      const { trainer, baseModel, model, trainingData } = prepared;
      const job = createJob({ id, trainer, baseModel, model, trainingData, trainingExamples: input.examples.length, hyperparams: { ...input.hyperparams } }, now());
      active.set(id, { job, input, abort: new AbortController() });
      await options.store.save(job);
      queue.push(id);
      pump();
      return active.get(id)?.job ?? job;
    },
    get: find,
    list: async () => (await lastSave.then(() => options.store.list())).map((job) => active.get(job.id)?.job ?? job),
    async cancel(id) {
      const job = await find(id);
      if (!active.has(id)) throw new ProxyError('conflict', `Fine-tune job '${id}' is already ${job.status}.`);
      const wasRunning = !queue.includes(id);
      stop(id, new JobStopped('cancelled', 'Cancelled on request.'));
      // A running trainer stops at its next await; answer with the final state when it does so promptly.
      if (wasRunning) await Promise.race([running, delay(CANCEL_WAIT_MS)]);
      return find(id);
    },
    isPending: (model) => [...active.values()].some((entry) => entry.job.model === model),
    async idle() {
      while (running) await running;
      await lastSave;
    },
    async close() {
      closed = true;
      for (const id of [...queue]) stop(id, new JobStopped('failed', 'The server shut down before the job started.'));
      for (const id of active.keys()) stop(id, new JobStopped('failed', 'The server shut down while the job was running.'));
      await running;
      await lastSave;
    },
  };
}

const CANCEL_WAIT_MS = 5_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `Training failed: ${message}`;
}

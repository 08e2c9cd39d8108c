import type { Logger } from '../core/logger.js';
import type { ModelRuntime } from '../core/model-runtime.js';
import type { KvStore } from '../stores/kv-store.js';
import { createAdapterTrainer } from './adapter-trainer.js';
import { createFinetuneJobStore } from './finetune-job-store.js';
import { createFinetuneJobs, type FinetuneJobs, type PreparedJob } from './finetune-jobs.js';
import { loadTrainingData, type TrainingDataOptions } from './load-training-data.js';
import { createModelfileTrainer } from './modelfile-trainer.js';
import { createJobPreparer, type FinetuneRequest } from './prepare-job.js';

export interface FinetuneServiceOptions {
  runtime: ModelRuntime;
  /** Where jobs are persisted; the caller owns (and closes) it. */
  store: KvStore;
  trainingData: TrainingDataOptions;
  adapter: { command: string | undefined; timeoutMs: number; workDir: string; env: Record<string, string | undefined> };
  logger?: Logger;
}

export interface FinetuneService {
  jobs: FinetuneJobs;
  prepare(request: FinetuneRequest, signal: AbortSignal): Promise<PreparedJob>;
}

/** Wires trainers, persistence and dataset loading; fails jobs a previous process left unfinished. */
export async function createFinetuneService(options: FinetuneServiceOptions): Promise<FinetuneService> {
  const jobs = createFinetuneJobs({
    store: createFinetuneJobStore(options.store),
    trainers: {
      modelfile: createModelfileTrainer(options.runtime),
      adapter: createAdapterTrainer({ runtime: options.runtime, ...options.adapter }),
    },
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const interrupted = await jobs.recover();
  if (interrupted > 0) options.logger?.warn('fine-tune jobs interrupted by a restart were marked failed', { count: interrupted });
  const prepare = createJobPreparer({
    runtime: options.runtime,
    loadTrainingData: (source, signal) => loadTrainingData(source, options.trainingData, signal),
    isPending: (model) => jobs.isPending(model),
  });
  return { jobs, prepare };
}

import type { FinetuneJob } from './finetune-job.js';

/** The status document of a job (GET /api/v1/finetune/{task_id}/status). Pure. */
export function toFinetuneJobJson(job: FinetuneJob) {
  return {
    task_id: job.id,
    object: 'finetune.job',
    status: job.status,
    progress: Math.round(job.progress * 1000) / 1000,
    trainer: job.trainer,
    base_model: job.baseModel,
    model: job.model,
    training_data: job.trainingData,
    training_examples: job.trainingExamples,
    hyperparams: job.hyperparams,
    created_at: job.createdAt,
    started_at: job.startedAt,
    finished_at: job.finishedAt,
    error: job.error,
    events: job.events,
  };
}

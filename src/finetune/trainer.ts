import type { ModelProgress } from '../core/model-runtime.js';
import type { TrainingExample } from './training-data.js';

export interface TrainingInput {
  jobId: string;
  baseModel: string;
  /** Name of the model to create. */
  model: string;
  examples: readonly TrainingExample[];
  hyperparams: Readonly<Record<string, unknown>>;
}

export interface TrainerContext {
  /** Aborted when the job is cancelled or the server shuts down. */
  signal: AbortSignal;
  /** Adds a job event; progress (0..1) only moves forward. */
  report(message: string, progress?: number): void;
}

export interface Trainer {
  /** Checked when the job is submitted, so bad settings are a 400 rather than a failed job. */
  validate(input: TrainingInput): void;
  /** Resolves once the model exists in the runtime. */
  train(input: TrainingInput, ctx: TrainerContext): Promise<void>;
}

/** Reports each new status of a create stream as an event, progress moving from `from` towards `to`. */
export async function reportCreateProgress(steps: AsyncIterable<ModelProgress>, ctx: TrainerContext, from: number, to: number): Promise<void> {
  let last = '';
  let count = 0;
  for await (const step of steps) {
    if (step.status === last) continue;
    last = step.status;
    count++;
    // The number of steps is not known in advance: approach `to` without reaching it.
    ctx.report(`Ollama: ${step.status}`, from + (to - from) * (1 - 1 / (count + 1)));
  }
}

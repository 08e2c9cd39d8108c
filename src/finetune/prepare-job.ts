import { randomBytes } from 'node:crypto';
import { InvalidRequestError, ProxyError } from '../core/errors.js';
import type { ModelRuntime } from '../core/model-runtime.js';
import type { TrainerName } from './finetune-job.js';
import type { PreparedJob } from './finetune-jobs.js';
import { describeTrainingSource } from './load-training-data.js';
import { parseTrainingData } from './training-data.js';

// Everything checked before a job is queued, so mistakes are a 4xx now rather than a failed job later:
// the base model exists, the new name is free, the dataset reads and validates line by line.

export interface FinetuneRequest {
  baseModel: string;
  trainingData: string;
  hyperparams: Record<string, unknown>;
  trainer: TrainerName;
  /** Full name of the model to create; default `<base>-ft-<suffix>`. */
  model?: string;
  suffix?: string;
}

export interface PrepareJobDeps {
  runtime: ModelRuntime;
  loadTrainingData(source: string, signal: AbortSignal): Promise<string>;
  /** A queued or running job already creates this model. */
  isPending(model: string): boolean;
  newSuffix?: () => string;
}

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]*(:[A-Za-z0-9_][A-Za-z0-9._-]*)?$/;
const SUFFIX = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

/** `deepseek-r1:7b` + `legal` → `deepseek-r1:7b-ft-legal`; an untagged base gets the suffix as its tag. */
export function fineTunedName(baseModel: string, suffix: string): string {
  return /:[^/]*$/.test(baseModel) ? `${baseModel}-ft-${suffix}` : `${baseModel}:ft-${suffix}`;
}

function targetName(request: FinetuneRequest, newSuffix: () => string): string {
  if (request.model !== undefined) {
    if (!MODEL_NAME.test(request.model)) throw new InvalidRequestError(`'${request.model}' is not a valid model name.`, 'model');
    return request.model;
  }
  if (request.suffix !== undefined && !SUFFIX.test(request.suffix)) {
    throw new InvalidRequestError('suffix may hold letters, digits, ".", "_" and "-" (at most 40).', 'suffix');
  }
  return fineTunedName(request.baseModel, request.suffix ?? newSuffix());
}

export function createJobPreparer(deps: PrepareJobDeps) {
  const newSuffix = deps.newSuffix ?? (() => randomBytes(4).toString('hex'));
  return async function prepareJob(request: FinetuneRequest, signal: AbortSignal): Promise<PreparedJob> {
    const model = targetName(request, newSuffix);
    const base = await deps.runtime.describeModel(request.baseModel, signal);
    const installed = await deps.runtime.listInstalled(signal);
    if (deps.isPending(model) || installed.some((info) => info.id.toLowerCase() === model.toLowerCase())) {
      throw new ProxyError('conflict', `Model '${model}' already exists or is being created; choose another model name or suffix.`, { param: 'model' });
    }
    const examples = parseTrainingData(await deps.loadTrainingData(request.trainingData, signal));
    return {
      trainer: request.trainer,
      baseModel: base.id,
      model,
      trainingData: describeTrainingSource(request.trainingData),
      input: { baseModel: base.id, model, examples, hyperparams: request.hyperparams },
    };
  };
}

import type { Request, Response } from 'express';
import { z } from 'zod';
import type { FinetuneJobs } from '../../finetune/finetune-jobs.js';
import { toFinetuneJobJson } from '../../finetune/finetune-json.js';
import type { FinetuneRequest } from '../../finetune/prepare-job.js';
import type { PreparedJob } from '../../finetune/finetune-jobs.js';
import { parseOpenAIBody } from '../../openai/parse-openai-body.js';

const finetuneBodySchema = z
  .object({
    base_model: z.string().min(1),
    /** Local path on the server or http(s) URL of OpenAI chat-format JSONL. */
    training_data: z.string().min(1),
    hyperparams: z.record(z.string(), z.unknown()).optional(),
    trainer: z.enum(['modelfile', 'adapter']).optional(),
    model: z.string().min(1).optional(),
    suffix: z.string().min(1).optional(),
  })
  .strict();

export interface FinetuneApi {
  jobs: FinetuneJobs;
  prepare(request: FinetuneRequest, signal: AbortSignal): Promise<PreparedJob>;
}

function toFinetuneRequest(body: z.output<typeof finetuneBodySchema>): FinetuneRequest {
  return {
    baseModel: body.base_model,
    trainingData: body.training_data,
    hyperparams: body.hyperparams ?? {},
    trainer: body.trainer ?? 'modelfile',
    ...(body.model === undefined ? {} : { model: body.model }),
    ...(body.suffix === undefined ? {} : { suffix: body.suffix }),
  };
}

/** /api/v1/finetune: submit, list, status and cancel fine-tune jobs. */
export function adminFinetuneRoutes(api: FinetuneApi) {
  return {
    async create(req: Request, res: Response): Promise<void> {
      const request = toFinetuneRequest(parseOpenAIBody(finetuneBodySchema, req.body));
      const job = await api.jobs.submit(await api.prepare(request, res.locals.abort!.signal));
      res.status(201).location(`/api/v1/finetune/${job.id}/status`).json(toFinetuneJobJson(job));
    },
    async list(_req: Request, res: Response): Promise<void> {
      const jobs = await api.jobs.list();
      // Events make the list long; the status route has them.
      res.json({ object: 'list', data: jobs.map((job) => ({ ...toFinetuneJobJson(job), events: undefined })) });
    },
    async status(req: Request, res: Response): Promise<void> {
      res.json(toFinetuneJobJson(await api.jobs.get(String(req.params.id))));
    },
    async cancel(req: Request, res: Response): Promise<void> {
      res.json(toFinetuneJobJson(await api.jobs.cancel(String(req.params.id))));
    },
  };
}

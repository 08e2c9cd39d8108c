import type { Request, Response } from 'express';
import { z } from 'zod';
import type { DeployEvent, DeployRequest, ModelAdmin } from '../../model-admin/model-admin.js';
import { toAdminModelJson, toDeployEventJson, toDeployResultJson } from '../../model-admin/model-admin-json.js';
import { parseOpenAIBody } from '../../openai/parse-openai-body.js';
import { createJsonSseEncoder, createNdjsonEncoder } from '../../openai/json-stream-encoders.js';
import type { StreamWriter } from '../write-stream.js';

const deployBodySchema = z
  .object({
    model_name: z.string().min(1),
    gpu_id: z.number().int().min(0).optional(),
    num_gpu: z.number().int().min(0).optional(),
    memory_limit: z.string().min(1).optional(),
    keep_alive: z.union([z.string(), z.number()]).optional(),
    /** false: pull only. */
    load: z.boolean().optional(),
    stream: z.boolean().optional(),
  })
  .strict();

type DeployBody = z.output<typeof deployBodySchema>;

export interface AdminModelsDeps {
  admin: ModelAdmin;
  /** Progress streams (SSE or NDJSON), ended at shutdown like every stream. */
  writeStream: StreamWriter;
}

function toDeployRequest(body: DeployBody): DeployRequest {
  return {
    model: body.model_name,
    load: body.load ?? true,
    ...(body.gpu_id === undefined ? {} : { gpuId: body.gpu_id }),
    ...(body.num_gpu === undefined ? {} : { numGpu: body.num_gpu }),
    ...(body.memory_limit === undefined ? {} : { memoryLimit: body.memory_limit }),
    ...(body.keep_alive === undefined ? {} : { keepAlive: body.keep_alive }),
  };
}

/** Progress is streamed when the client asks: Accept text/event-stream (SSE), application/x-ndjson, or `stream: true` (NDJSON). */
function streamFormat(req: Request, body: DeployBody): 'sse' | 'ndjson' | undefined {
  const accept = req.get('accept') ?? '';
  if (accept.includes('text/event-stream')) return 'sse';
  if (accept.includes('application/x-ndjson') || body.stream === true) return 'ndjson';
  return undefined;
}

async function* eventLines(events: AsyncIterable<DeployEvent>) {
  for await (const event of events) yield toDeployEventJson(event);
}

/** /api/v1/models: list installed models, pull + load one (GPU and memory limits), unload one. */
export function adminModelsRoutes(deps: AdminModelsDeps) {
  return {
    async list(_req: Request, res: Response): Promise<void> {
      const models = await deps.admin.list(res.locals.abort!.signal);
      res.json({ object: 'list', data: models.map(toAdminModelJson) });
    },

    async deploy(req: Request, res: Response): Promise<void> {
      const locals = res.locals;
      const body = parseOpenAIBody(deployBodySchema, req.body);
      locals.model = body.model_name;
      const events = deps.admin.deploy(toDeployRequest(body), locals.abort!.signal);
      const format = streamFormat(req, body);
      locals.stream = format !== undefined;
      if (format !== undefined) return deps.writeStream(res, eventLines(events), format === 'sse' ? createJsonSseEncoder() : createNdjsonEncoder());
      for await (const event of events) {
        if (event.type === 'result') res.json(toDeployResultJson(event.result));
      }
    },

    async unload(req: Request, res: Response): Promise<void> {
      const segments = req.params.name as unknown as string[] | string;
      const name = Array.isArray(segments) ? segments.join('/') : segments;
      res.locals.model = name;
      const { model, wasLoaded } = await deps.admin.unload(name, res.locals.abort!.signal);
      res.json({ model, unloaded: true, was_loaded: wasLoaded });
    },
  };
}

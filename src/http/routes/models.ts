import type { Request, Response } from 'express';
import type { ChatBackend } from '../../core/chat-backend.js';
import { ModelNotFoundError } from '../../core/errors.js';
import { toOpenAIModel, toOpenAIModelList } from '../../openai/to-openai-model-list.js';
import { callContext } from '../locals.js';

/** GET /v1/models and GET /v1/models/{id} (ids may hold ':' and '/', e.g. hf.co/org/model:Q4_K_M). */
export function modelsRoutes(backend: ChatBackend) {
  return {
    async list(_req: Request, res: Response): Promise<void> {
      res.locals.route = '/v1/models';
      res.json(toOpenAIModelList(await backend.listModels(callContext(res.locals))));
    },
    async get(req: Request, res: Response): Promise<void> {
      res.locals.route = '/v1/models/{id}';
      const segments = req.params.id as unknown as string[] | string;
      const id = Array.isArray(segments) ? segments.join('/') : segments;
      const models = await backend.listModels(callContext(res.locals));
      const model = models.find((candidate) => candidate.id === id) ?? models.find((candidate) => candidate.id === `${id}:latest`);
      if (!model) throw new ModelNotFoundError(id);
      res.json(toOpenAIModel(model));
    },
  };
}

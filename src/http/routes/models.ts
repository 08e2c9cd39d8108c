import type { Request } from 'express';
import type { HttpRequest, HttpResponse } from '../http-types.js';
import { sendJson } from '../json-response.js';
import type { CatalogPort } from '../../core/chat-backend.js';
import { isModelAllowed } from '../../access/model-access.js';
import type { ModelInfo } from '../../core/chat-result.js';
import { ModelNotFoundError } from '../../core/errors.js';
import { toOpenAIModel, toOpenAIModelList } from '../../openai/to-openai-model-list.js';
import { toAnthropicModel, toAnthropicModelList, toAnthropicPage } from '../../anthropic/to-anthropic-model-list.js';
import { callContext } from '../locals.js';
import { isAnthropicClient } from './anthropic-messages.js';

/** The models this caller may use: a key with a model allow-list sees only those (others do not exist for it). */
async function visibleModels(backend: CatalogPort, res: HttpResponse): Promise<ModelInfo[]> {
  const models = await backend.listModels(callContext(res.locals));
  const allowed = res.locals.principal?.models;
  return allowed ? models.filter((model) => isModelAllowed(model.id, allowed)) : models;
}

/**
 * GET /v1/models and GET /v1/models/{id} (ids may hold ':' and '/', e.g. hf.co/org/model:Q4_K_M), in OpenAI's
 * shape, or in Anthropic's (paged) for clients that send `anthropic-version`.
 */
export interface ModelsRoutesOptions {
  /** The model an alias name (e.g. `claude-sonnet-4-5` under `claude-*`) resolves to, if any. */
  resolveAlias?: (name: string, installed: readonly ModelInfo[]) => string | undefined;
}

function findModel(models: readonly ModelInfo[], id: string): ModelInfo | undefined {
  return models.find((candidate) => candidate.id === id) ?? models.find((candidate) => candidate.id === `${id}:latest`);
}

export function modelsRoutes(backend: CatalogPort, options: ModelsRoutesOptions = {}) {
  return {
    async list(req: HttpRequest, res: HttpResponse): Promise<void> {
      if (!isAnthropicClient(req)) return sendJson(res, toOpenAIModelList(await visibleModels(backend, res)));
      const url = req.url ?? '';
      const page = toAnthropicPage(new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : ''));
      sendJson(res, toAnthropicModelList(await visibleModels(backend, res), page));
    },
    async get(req: Request, res: HttpResponse): Promise<void> {
      const segments = req.params.id as unknown as string[] | string;
      const id = Array.isArray(segments) ? segments.join('/') : segments;
      const models = await visibleModels(backend, res);
      let model = findModel(models, id);
      // An alias is a model too for the client that names it: answered under the requested name when it reaches
      // a model this caller may see (and the name itself passes the caller's allow-list, as on the chat routes).
      const allowed = res.locals.principal?.models;
      if (!model && options.resolveAlias && (!allowed || isModelAllowed(id, allowed))) {
        const target = options.resolveAlias(id, models);
        const resolved = target === undefined ? undefined : findModel(models, target);
        if (resolved) model = { ...resolved, id };
      }
      if (!model) throw new ModelNotFoundError(id);
      sendJson(res, isAnthropicClient(req) ? toAnthropicModel(model) : toOpenAIModel(model));
    },
  };
}

import type { ModelInfo } from '../core/chat-result.js';
import type { OpenAIModel, OpenAIModelList } from './openai-wire.js';

/** GET /v1/models body. */
export function toOpenAIModelList(models: readonly ModelInfo[]): OpenAIModelList {
  return { object: 'list', data: models.map(toOpenAIModel) };
}

/** GET /v1/models/{id} body. `created` is required by clients, so an unknown date becomes 0. */
export function toOpenAIModel(model: ModelInfo): OpenAIModel {
  const seconds = Math.floor(model.createdAt.getTime() / 1000);
  return { id: model.id, object: 'model', created: Number.isFinite(seconds) && seconds > 0 ? seconds : 0, owned_by: model.ownedBy };
}

import type { ModelInfo } from '../core/chat-result.js';
import type { AnthropicModel, AnthropicModelList } from './anthropic-wire.js';
import { invalidField } from './parse-anthropic-body.js';

export interface AnthropicPage {
  limit?: number;
  afterId?: string;
  beforeId?: string;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;

/** `limit`, `after_id`, `before_id` from GET /v1/models' query, as Anthropic pages its model list. */
export function toAnthropicPage(query: URLSearchParams): AnthropicPage {
  const page: AnthropicPage = {};
  const limit = query.get('limit');
  if (limit !== null) {
    const value = Number(limit);
    if (!Number.isInteger(value) || value < 1 || value > MAX_LIMIT) throw invalidField('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
    page.limit = value;
  }
  const after = query.get('after_id');
  if (after !== null) page.afterId = after;
  const before = query.get('before_id');
  if (before !== null) page.beforeId = before;
  return page;
}

/** GET /v1/models for Anthropic clients (they send `anthropic-version`): one page of the list, in list order. */
export function toAnthropicModelList(models: readonly ModelInfo[], page: AnthropicPage = {}): AnthropicModelList {
  const limit = page.limit ?? DEFAULT_LIMIT;
  let start = 0;
  let end = models.length;
  if (page.afterId !== undefined) start = models.findIndex((model) => model.id === page.afterId) + 1;
  if (page.beforeId !== undefined) {
    const before = models.findIndex((model) => model.id === page.beforeId);
    end = before === -1 ? models.length : before;
    start = Math.max(start, end - limit);
  }
  const data = models.slice(start, Math.min(end, start + limit)).map(toAnthropicModel);
  const hasMore = page.beforeId !== undefined ? start > 0 : start + data.length < end;
  return { data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

/** `created_at` is RFC 3339; an unknown date is the epoch. Ollama has no display names: the id is shown. */
export function toAnthropicModel(model: ModelInfo): AnthropicModel {
  const time = model.createdAt.getTime();
  const createdAt = Number.isFinite(time) ? model.createdAt.toISOString() : new Date(0).toISOString();
  return { type: 'model', id: model.id, display_name: model.id, created_at: createdAt };
}

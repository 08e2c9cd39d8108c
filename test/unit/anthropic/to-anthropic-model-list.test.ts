import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { toAnthropicModelList, toAnthropicPage } from '../../../src/anthropic/to-anthropic-model-list.js';
import type { AnthropicModel } from '../../../src/anthropic/anthropic-wire.js';
import { InvalidRequestError } from '../../../src/core/errors.js';
import type { ModelInfo } from '../../../src/core/chat-result.js';

const asSdk = (model: AnthropicModel): Pick<Anthropic.ModelInfo, 'type' | 'id' | 'display_name' | 'created_at'> => model;
const models: ModelInfo[] = ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ id, createdAt: new Date(Date.UTC(2026, 0, i + 1)), ownedBy: 'library' }));
const ids = (page: { data: AnthropicModel[] }) => page.data.map((model) => model.id);

describe('toAnthropicModelList', () => {
  it('renders models as Anthropic model objects', () => {
    expect(asSdk(toAnthropicModelList(models).data[0]!)).toEqual({ type: 'model', id: 'a', display_name: 'a', created_at: '2026-01-01T00:00:00.000Z' });
  });

  it('pages forward with limit and after_id', () => {
    const first = toAnthropicModelList(models, { limit: 2 });
    expect(first).toMatchObject({ has_more: true, first_id: 'a', last_id: 'b' });
    const second = toAnthropicModelList(models, { limit: 2, afterId: 'b' });
    expect(ids(second)).toEqual(['c', 'd']);
    const last = toAnthropicModelList(models, { limit: 2, afterId: 'd' });
    expect(last).toMatchObject({ has_more: false, first_id: 'e', last_id: 'e' });
  });

  it('pages backward with before_id', () => {
    const page = toAnthropicModelList(models, { limit: 2, beforeId: 'd' });
    expect(ids(page)).toEqual(['b', 'c']);
    expect(page.has_more).toBe(true);
  });

  it('reports an empty list with null ids', () => {
    expect(toAnthropicModelList([])).toEqual({ data: [], has_more: false, first_id: null, last_id: null });
  });
});

describe('toAnthropicPage', () => {
  it('reads limit, after_id and before_id', () => {
    expect(toAnthropicPage(new URLSearchParams('limit=5&after_id=x&before_id=y'))).toEqual({ limit: 5, afterId: 'x', beforeId: 'y' });
  });

  it.each(['0', '1001', 'ten'])('refuses limit=%s', (limit) => {
    expect(() => toAnthropicPage(new URLSearchParams({ limit }))).toThrow(InvalidRequestError);
  });
});

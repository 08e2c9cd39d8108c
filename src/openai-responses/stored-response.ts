import { z } from 'zod';
import { InvalidRequestError } from '../core/errors.js';
import type { ResponsesObject } from './responses-output.js';

// What POST /responses keeps with a stored conversation (the opaque payload of core/conversation-store), and the
// shapes of GET /responses/{id}/input_items.

export interface StoredResponsePayload {
  response: ResponsesObject;
  input_items: Record<string, unknown>[];
}

const payloadSchema = z.object({
  response: z.looseObject({ id: z.string(), object: z.literal('response') }),
  input_items: z.array(z.looseObject({ id: z.string() })),
});

export function readStoredPayload(payload: unknown): StoredResponsePayload {
  return payloadSchema.parse(payload) as unknown as StoredResponsePayload;
}

const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: z.string().optional(),
});

export interface ItemList {
  object: 'list';
  data: Record<string, unknown>[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** A cursor page over the input items, OpenAI's way: newest first unless `order=asc`, `after` an item id. */
export function toInputItemList(items: readonly Record<string, unknown>[], query: unknown): ItemList {
  const parsed = listQuerySchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = String(issue?.path[0] ?? 'query');
    throw new InvalidRequestError(`Invalid '${param}': ${issue?.message ?? 'invalid value'}.`, param);
  }
  const { limit, order, after } = parsed.data;
  const ordered = order === 'desc' ? [...items].reverse() : [...items];
  let start = 0;
  if (after !== undefined) {
    const index = ordered.findIndex((item) => item.id === after);
    if (index < 0) throw new InvalidRequestError(`Invalid 'after': no input item with id '${after}'.`, 'after');
    start = index + 1;
  }
  const data = ordered.slice(start, start + limit);
  return {
    object: 'list',
    data,
    first_id: (data[0]?.id as string | undefined) ?? null,
    last_id: (data.at(-1)?.id as string | undefined) ?? null,
    has_more: start + limit < ordered.length,
  };
}

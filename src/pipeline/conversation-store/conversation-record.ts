import { z } from 'zod';
import type { SessionHistory } from '../memory-strategies/memory-strategy.js';
import { historySchema } from '../session-memory/session-record.js';

// One stored response in the KvStore. Parsed with zod on every read, like session records.

export interface ConversationRecord {
  v: 1;
  owner: string;
  model: string;
  createdAt: number;
  history: SessionHistory;
  payload: unknown;
}

export const conversationRecordSchema: z.ZodType<ConversationRecord> = z.object({
  v: z.literal(1),
  owner: z.string(),
  model: z.string(),
  createdAt: z.number(),
  history: historySchema,
  payload: z.unknown(),
}) as z.ZodType<ConversationRecord>;

export const conversationKey = (id: string): string => `response:${id}`;

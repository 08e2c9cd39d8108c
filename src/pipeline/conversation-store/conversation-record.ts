import { z } from 'zod';
import type { ChatMessage } from '../../core/chat-request.js';
import type { MemorySettings, SessionHistory } from '../memory-strategies/memory-strategy.js';
import { historySchema } from '../session-memory/session-record.js';

// One stored response in the KvStore. Parsed with zod on every read, like session records.
// v2 (current): the turn itself (this request's input and the answer) and the id of the response it
// continues; the conversation is rebuilt by walking back along `previous` (conversation-chain.ts), so storage
// grows linearly with the turns. v1 (written before): the whole fitted history in every record; still read,
// and a walk that reaches one starts from its history.

export interface ConversationRecordV1 {
  v: 1;
  owner: string;
  model: string;
  createdAt: number;
  history: SessionHistory;
  payload: unknown;
}

export interface ConversationRecordV2 {
  v: 2;
  owner: string;
  model: string;
  createdAt: number;
  /** The response this one continues (previous_response_id). */
  previous?: string;
  /** Memory settings of the conversation, fixed when its first response was stored. */
  settings: MemorySettings;
  /** The pinned system messages after this turn (the latest request that carried any sets them). */
  pinned: ChatMessage[];
  input: ChatMessage[];
  answer: ChatMessage;
  /** DELETE leaves the turn for the responses that continue it (as v1 records kept it in theirs); reads 404. */
  deleted?: true;
  payload: unknown;
}

export type ConversationRecord = ConversationRecordV1 | ConversationRecordV2;

const messageSchema = historySchema.shape.system.element;

const recordV1Schema = z.object({
  v: z.literal(1),
  owner: z.string(),
  model: z.string(),
  createdAt: z.number(),
  history: historySchema,
  payload: z.unknown(),
});

const recordV2Schema = z.object({
  v: z.literal(2),
  owner: z.string(),
  model: z.string(),
  createdAt: z.number(),
  previous: z.string().exactOptional(),
  settings: historySchema.shape.settings,
  pinned: z.array(messageSchema),
  input: z.array(messageSchema),
  answer: messageSchema,
  deleted: z.literal(true).exactOptional(),
  payload: z.unknown(),
});

export const conversationRecordSchema = z.discriminatedUnion('v', [recordV1Schema, recordV2Schema]) as unknown as z.ZodType<ConversationRecord>;

export const conversationKey = (id: string): string => `response:${id}`;

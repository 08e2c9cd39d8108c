import { z } from 'zod';
import { MEMORY_STRATEGY_NAMES } from '../../core/session-directory.js';
import type { SessionHistory } from '../memory-strategies/memory-strategy.js';

// What one session looks like in the store. Parsed with zod on every read: the store may hold data
// written by another version or instance, and a bad record must fail loudly rather than half-load.

export interface SessionRecord {
  v: 1;
  /** Principal id of the key that created the session; nobody else can see or use it. */
  owner: string;
  createdAt: number;
  updatedAt: number;
  /** The model of the latest exchange (its token ratio sizes the history). */
  model?: string;
  history: SessionHistory;
}

const toolCallSchema = z.object({ id: z.string(), name: z.string(), argumentsJson: z.string() });

const messageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string(),
  images: z.array(z.string()).exactOptional(),
  toolCalls: z.array(toolCallSchema).exactOptional(),
  toolCallId: z.string().exactOptional(),
  toolName: z.string().exactOptional(),
});

export const historySchema = z.object({
  settings: z.object({
    strategy: z.enum(MEMORY_STRATEGY_NAMES),
    memorySize: z.number().int().positive(),
    windowSize: z.number().int().positive(),
    lowWater: z.number().gt(0).lte(1).exactOptional(),
  }),
  system: z.array(messageSchema),
  summary: z.string().exactOptional(),
  summarizedTurns: z.number().int().nonnegative(),
  summaryModel: z.string().exactOptional(),
  turns: z.array(z.object({ id: z.number().int(), messages: z.array(messageSchema) })),
  nextTurnId: z.number().int(),
  windowStart: z.number().int().exactOptional(),
});

export const sessionRecordSchema: z.ZodType<SessionRecord> = z.object({
  v: z.literal(1),
  owner: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  model: z.string().exactOptional(),
  history: historySchema,
});

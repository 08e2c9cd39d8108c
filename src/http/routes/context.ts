import type { Request, Response } from 'express';
import { z } from 'zod';
import { MEMORY_STRATEGY_NAMES, type MemorySettings, type SessionDirectory, type SessionView } from '../../core/session-directory.js';
import { parseOpenAIBody } from '../../openai/parse-openai-body.js';

// The context API: PUT / GET / DELETE /api/v1/context/{session_id}. Sizes are in (estimated) tokens.

const tokens = z.number().int().positive().max(10_000_000);
const settingsSchema = z
  .object({
    memory_size: tokens.optional(),
    window_size: tokens.optional(),
    strategy: z.enum(MEMORY_STRATEGY_NAMES).optional(),
  })
  .strict();

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

export function toContextBody(view: SessionView) {
  return {
    object: 'context.session',
    session_id: view.id,
    strategy: view.settings.strategy,
    memory_size: view.settings.memorySize,
    window_size: view.settings.windowSize,
    state: {
      turns: view.turns,
      messages: view.messages,
      estimated_tokens: view.estimatedTokens,
      summary: view.summary ?? null,
      summarized_turns: view.summarizedTurns,
      summary_model: view.summaryModel ?? null,
      model: view.model ?? null,
    },
    created_at: seconds(view.createdAt),
    updated_at: seconds(view.updatedAt),
  };
}

function toSettings(body: z.output<typeof settingsSchema>): Partial<MemorySettings> {
  const settings: Partial<MemorySettings> = {};
  if (body.memory_size !== undefined) settings.memorySize = body.memory_size;
  if (body.window_size !== undefined) settings.windowSize = body.window_size;
  if (body.strategy !== undefined) settings.strategy = body.strategy;
  return settings;
}

export function contextRoutes(sessions: SessionDirectory) {
  const sessionId = (req: Request, res: Response): string => {
    return String(req.params.session_id);
  };
  return {
    async put(req: Request, res: Response): Promise<void> {
      const id = sessionId(req, res);
      const settings = toSettings(parseOpenAIBody(settingsSchema, req.body ?? {}));
      const { view, created } = await sessions.configure(id, res.locals.principal!, settings);
      res.status(created ? 201 : 200).json(toContextBody(view));
    },
    async get(req: Request, res: Response): Promise<void> {
      const id = sessionId(req, res);
      res.json(toContextBody(await sessions.describe(id, res.locals.principal!)));
    },
    async delete(req: Request, res: Response): Promise<void> {
      const id = sessionId(req, res);
      await sessions.forget(id, res.locals.principal!);
      res.json({ object: 'context.session', session_id: id, deleted: true });
    },
  };
}

import type { Request, Response } from 'express';
import { z } from 'zod';
import { LOG_LEVELS } from '../../config/config-schema.js';
import { parseOpenAIBody } from '../../openai/parse-openai-body.js';

/** The running logger's level (observability/logger.ts' ControllableLogger provides it). */
export interface LogLevelControl {
  getLevel(): string;
  setLevel(level: string): void;
}

const bodySchema = z.object({ level: z.enum(LOG_LEVELS) }).strict();

/** GET/PUT /api/v1/logs: read or change the log level of the running server, effective for the next line. */
export function adminLogsRoutes(control: LogLevelControl) {
  return {
    get(_req: Request, res: Response): void {
      res.json({ level: control.getLevel(), levels: LOG_LEVELS });
    },
    put(req: Request, res: Response): void {
      const { level } = parseOpenAIBody(bodySchema, req.body);
      const previous = control.getLevel();
      control.setLevel(level);
      res.locals.logger?.info('log level changed', { from: previous, to: level, by: res.locals.principal?.id });
      res.json({ level, previous });
    },
  };
}

import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AdminSessionView, SessionAdmin } from '../../core/session-directory.js';
import { parseOpenAIBody } from '../../openai/parse-openai-body.js';
import { toContextBody } from './context.js';

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

const toAdminSessionJson = (view: AdminSessionView) => ({ ...toContextBody(view), owner: view.owner });

/** /api/v1/sessions (scope `admin`): list (?limit=, default 100, newest first), inspect and delete any key's sessions. */
export function adminSessionsRoutes(admin: SessionAdmin) {
  const sessionId = (req: Request, res: Response) => {
    return String(req.params.id);
  };
  return {
    async list(req: Request, res: Response): Promise<void> {
      const { limit } = parseOpenAIBody(listQuery, req.query);
      res.json({ object: 'list', data: (await admin.list(limit)).map(toAdminSessionJson) });
    },
    async get(req: Request, res: Response): Promise<void> {
      res.json(toAdminSessionJson(await admin.inspect(sessionId(req, res))));
    },
    async delete(req: Request, res: Response): Promise<void> {
      const id = sessionId(req, res);
      await admin.remove(id);
      res.json({ object: 'context.session', session_id: id, deleted: true });
    },
  };
}

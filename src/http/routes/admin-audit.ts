import type { Request, Response } from 'express';
import type { AuditEntry, AuditQuery } from '../../access/request-recorder.js';
import { parseOpenAIBody } from '../../openai/parse-openai-body.js';
import { auditQuery, toAuditJson, toAuditQuery } from './admin-wire.js';

/** GET /api/v1/audit (scope `admin`): ?key_id=&model=&status=&from=&to=&limit=, newest first. */
export function adminAuditRoute(queryAudit: (query: AuditQuery) => Promise<AuditEntry[]>) {
  return async function adminAudit(req: Request, res: Response): Promise<void> {
    const query = toAuditQuery(parseOpenAIBody(auditQuery, req.query));
    res.json({ object: 'list', data: (await queryAudit(query)).map(toAuditJson) });
  };
}

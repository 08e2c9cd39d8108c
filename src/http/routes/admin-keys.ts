import type { Request, Response } from 'express';
import { toApiKeyJson, type ApiKeyView } from '../../access/api-key-view.js';
import { parseDuration } from '../../access/duration.js';
import type { KeyService } from '../../access/key-service.js';
import { parseOpenAIBody } from '../../openai/parse-openai-body.js';
import { createKeyBody, rotateKeyBody, toKeySettingsInput, toUsageJson, updateKeyBody, usageQuery } from './admin-wire.js';

export interface AdminKeysDeps {
  keys: KeyService;
  /** After a change: cached authentications are dropped so it applies at once on this instance. */
  onKeysChanged: () => void;
  /** Writes pending usage records, so a read right after a request sees it. */
  flushRecords: () => Promise<void>;
}

/** The admin API for keys (scope `admin`). Secrets are returned once, by create and rotate. */
export function adminKeysRoutes(deps: AdminKeysDeps) {
  const { keys } = deps;
  const changed = (res: Response, view: ApiKeyView): void => {
    deps.onKeysChanged();
    res.json(toApiKeyJson(view));
  };
  return {
    async create(req: Request, res: Response): Promise<void> {
      const body = parseOpenAIBody(createKeyBody, req.body);
      const { key, secret } = await keys.createKey({ ...toKeySettingsInput(body), name: body.name, scopes: body.scopes });
      res.setHeader('cache-control', 'no-store');
      res.status(201).json({ ...toApiKeyJson(key), secret });
    },
    async list(_req: Request, res: Response): Promise<void> {
      res.json({ object: 'list', data: (await keys.listKeys()).map(toApiKeyJson) });
    },
    async get(req: Request, res: Response): Promise<void> {
      res.json(toApiKeyJson(await keys.getKey(keyId(req))));
    },
    async update(req: Request, res: Response): Promise<void> {
      const body = parseOpenAIBody(updateKeyBody, req.body ?? {});
      changed(res, await keys.updateKey(keyId(req), toKeySettingsInput(body)));
    },
    async revoke(req: Request, res: Response): Promise<void> {
      changed(res, await keys.revokeKey(keyId(req)));
    },
    async rotate(req: Request, res: Response): Promise<void> {
      const body = parseOpenAIBody(rotateKeyBody, req.body ?? {});
      const grace = body.grace_period?.trim();
      const graceMs = grace === undefined ? undefined : grace === '0' ? 0 : parseDuration(grace, 'grace_period');
      const { key, secret } = await keys.rotateKey(keyId(req), graceMs);
      deps.onKeysChanged();
      res.setHeader('cache-control', 'no-store');
      res.json({ ...toApiKeyJson(key), secret });
    },
    async usage(req: Request, res: Response): Promise<void> {
      const query = parseOpenAIBody(usageQuery, req.query);
      await deps.flushRecords();
      const rows = await keys.keyUsage(keyId(req), {
        ...(query.from === undefined ? {} : { from: query.from }),
        ...(query.to === undefined ? {} : { to: query.to }),
      });
      res.json({ object: 'list', key_id: keyId(req), data: rows.map(toUsageJson) });
    },
  };
}

function keyId(req: Request): string {
  return String(req.params.id);
}

import { Router, type RequestHandler } from 'express';
import type { KeyService } from '../../access/key-service.js';
import type { AuditEntry, AuditQuery } from '../../access/request-recorder.js';
import type { TokenService } from '../../access/token-service.js';
import { adminAuditRoute } from './admin-audit.js';
import { adminKeysRoutes } from './admin-keys.js';
import { tokenExchangeRoute } from './token-exchange.js';

export interface AdminApiDeps {
  keys: KeyService;
  tokens: TokenService;
  queryAudit(query: AuditQuery): Promise<AuditEntry[]>;
  flushRecords(): Promise<void>;
  onKeysChanged(): void;
}

/** Our own /api/v1 routes: key management and audit (behind `adminGuard`), and the token exchange. */
export function adminApiRouter(deps: AdminApiDeps, adminGuard: readonly RequestHandler[], json: RequestHandler): Router {
  const router = Router();
  const keys = adminKeysRoutes({ keys: deps.keys, onKeysChanged: deps.onKeysChanged, flushRecords: deps.flushRecords });
  router.post('/api/v1/auth', json, tokenExchangeRoute(deps.tokens));
  router.post('/api/v1/keys', ...adminGuard, keys.create);
  router.get('/api/v1/keys', ...adminGuard, keys.list);
  router.get('/api/v1/keys/:id', ...adminGuard, keys.get);
  router.patch('/api/v1/keys/:id', ...adminGuard, keys.update);
  router.delete('/api/v1/keys/:id', ...adminGuard, keys.revoke);
  router.post('/api/v1/keys/:id/rotate', ...adminGuard, keys.rotate);
  router.get('/api/v1/keys/:id/usage', ...adminGuard, keys.usage);
  router.get('/api/v1/audit', ...adminGuard, adminAuditRoute(deps.queryAudit));
  return router;
}

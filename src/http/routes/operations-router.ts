import { Router, type RequestHandler } from 'express';
import type { ModelAdmin } from '../../model-admin/model-admin.js';
import { adminFinetuneRoutes, type FinetuneApi } from './admin-finetune.js';
import { adminLogsRoutes, type LogLevelControl } from './admin-logs.js';
import { adminModelsRoutes } from './admin-models.js';
import type { StreamWriter } from '../write-stream.js';

export interface OperationsDeps {
  models?: ModelAdmin;
  finetune?: FinetuneApi;
  logLevel?: LogLevelControl;
}

/** The operations API under /api/v1 (models, fine-tune jobs, log level), every route behind `guard` (scope admin). */
export function operationsRouter(deps: OperationsDeps & { guard: readonly RequestHandler[]; writeStream: StreamWriter }): Router {
  const router = Router();
  const guard = [...deps.guard];
  if (deps.models) {
    const models = adminModelsRoutes({ admin: deps.models, writeStream: deps.writeStream });
    router.get('/api/v1/models', ...guard, models.list);
    router.post('/api/v1/models', ...guard, models.deploy);
    router.delete('/api/v1/models/*name', ...guard, models.unload);
  }
  if (deps.finetune) {
    const finetune = adminFinetuneRoutes(deps.finetune);
    router.post('/api/v1/finetune', ...guard, finetune.create);
    router.get('/api/v1/finetune', ...guard, finetune.list);
    router.get(['/api/v1/finetune/:id', '/api/v1/finetune/:id/status'], ...guard, finetune.status);
    router.post('/api/v1/finetune/:id/cancel', ...guard, finetune.cancel);
    router.delete('/api/v1/finetune/:id', ...guard, finetune.cancel);
  }
  if (deps.logLevel) {
    const logs = adminLogsRoutes(deps.logLevel);
    router.get('/api/v1/logs', ...guard, logs.get);
    router.put('/api/v1/logs', ...guard, logs.put);
  }
  return router;
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { AuthenticationError } from '../../core/errors.js';
import type { Metrics } from '../../observability/metrics.js';
import { readCredential } from '../middleware/authenticate.js';

export interface MetricsRouteDeps {
  metrics: Metrics;
  /** METRICS_TOKEN: when set, scrapers must send it as a bearer token. */
  token?: string | undefined;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** GET /metrics in the Prometheus text format. Not behind API keys: scrapers have their own token. */
export function metricsRoute(deps: MetricsRouteDeps) {
  const expected = deps.token === undefined ? undefined : digest(deps.token);
  return async function metricsHandler(req: Request, res: Response): Promise<void> {
    if (expected) {
      const credential = readCredential(req);
      if (credential === undefined || !timingSafeEqual(digest(credential), expected)) {
        throw new AuthenticationError('GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>".');
      }
    }
    const { contentType, body } = await deps.metrics.render();
    res.setHeader('content-type', contentType);
    res.send(body);
  };
}

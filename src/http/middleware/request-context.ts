import type { Logger } from '../../core/logger.js';
import type { Principal } from '../../core/principal.js';
import type { Metrics } from '../../observability/metrics.js';
import { randomIdPart } from '../../shared/random-id.js';
import { clientAddressReader, type ClientAddress } from '../client-address.js';
import type { HttpRequest, HttpResponse, Next } from '../http-types.js';

/** What a request left behind, reported once when it is over (audit and usage recording). */
export interface FinishedRequest {
  principal: Principal | undefined;
  method: string;
  route: string;
  model: string | undefined;
  /** 499 when the client went away before any response was sent. */
  status: number;
  usage: { promptTokens: number; completionTokens: number; cachedTokens?: number | undefined } | undefined;
  durationMs: number;
  requestId: string;
  clientIp: string | undefined;
}

export interface RequestContextDeps {
  logger: Logger;
  metrics: Metrics;
  /** Called synchronously on close; must not block (it runs for every request). */
  onFinished?: (request: FinishedRequest) => void;
  /** The client's address under TRUST_PROXY; the socket's peer when absent. */
  clientAddress?: ClientAddress;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (echoed as x-request-id), an AbortController that fires when the client goes away
 * before the response is finished (so the upstream stops generating), a child logger, and one access line + metrics on close.
 */
export function requestContext({ logger, metrics, onFinished, clientAddress = clientAddressReader(false) }: RequestContextDeps) {
  return function requestContextMiddleware(req: HttpRequest, res: HttpResponse, next: Next): void {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : `req_${randomIdPart()}`;
    const abort = new AbortController();
    const locals = res.locals;
    locals.requestId = requestId;
    locals.startedAt = process.hrtime.bigint();
    locals.logger = logger.child({ requestId });
    locals.abort = abort;
    locals.outcome = {};
    locals.clientIp = clientAddress(req);
    res.setHeader('x-request-id', requestId);
    // Headers only at debug level; the logger's redaction format blanks credentials (authorization, x-api-key…).
    if (locals.logger.isDebugEnabled()) locals.logger.debug('request received', { method: req.method, path: req.url?.split('?', 1)[0], headers: req.headers });
    res.once('close', () => {
      const aborted = !res.writableFinished;
      if (aborted) abort.abort(new Error('client disconnected'));
      const seconds = Number(process.hrtime.bigint() - locals.startedAt!) / 1e9;
      const route = locals.route ?? 'unmatched';
      const method = req.method ?? 'GET';
      metrics.requestFinished(route, method, res.statusCode, seconds, locals.model);
      logAccess(locals.logger!, method, res, route, seconds, aborted);
      onFinished?.({
        principal: locals.principal,
        method,
        route,
        model: locals.model,
        status: aborted && !res.headersSent ? 499 : res.statusCode,
        usage: locals.outcome!.usage,
        durationMs: seconds * 1e3,
        requestId,
        clientIp: locals.clientIp,
      });
    });
    next();
  };
}

function logAccess(logger: Logger, method: string, res: HttpResponse, route: string, seconds: number, aborted: boolean): void {
  const locals = res.locals;
  const line: Record<string, unknown> = {
    method,
    route,
    status: res.statusCode,
    durationMs: Math.round(seconds * 1e6) / 1e3,
  };
  if (locals.principal) line.principalId = locals.principal.id;
  if (locals.model) line.model = locals.model;
  if (locals.stream !== undefined) line.stream = locals.stream;
  const { cache, usage, host, model } = locals.outcome!;
  if (model !== undefined && model !== locals.model) line.resolvedModel = model;
  if (cache) line.cache = cache.toUpperCase();
  if (host) line.host = host;
  if (usage) {
    line.promptTokens = usage.promptTokens;
    line.completionTokens = usage.completionTokens;
    const cached = usage.cachedTokens;
    if (cached !== undefined) line.cachedTokens = cached;
  }
  if (locals.errorCode !== undefined) line.error = locals.errorCode;
  if (aborted) line.aborted = true;
  logger.info('request', line);
}

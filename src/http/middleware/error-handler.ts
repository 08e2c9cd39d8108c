import type { NextFunction, Request, Response } from 'express';
import { NotFoundError, ProxyError, InvalidRequestError, toProxyError } from '../../core/errors.js';
import type { Metrics } from '../../observability/metrics.js';
import { fromBodyReadError } from '../body-errors.js';
import { createFailureLog } from '../failure-log.js';
import { toErrorBody } from '../error-shapes.js';
import type { HttpRequest, HttpResponse, Next } from '../http-types.js';
import { sendJson } from '../json-response.js';

/** Unknown routes get the same OpenAI-shaped 404 as everything else. */
export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError(`Unknown request URL: ${req.method} ${req.path}. Please check the URL and method.`));
}

/** Errors thrown by Express' body parser, turned into catalog errors. */
function fromBodyParser(error: unknown): ProxyError | undefined {
  if (!error || typeof error !== 'object' || error instanceof ProxyError) return undefined;
  if (!('type' in error)) return fromBodyReadError(error);
  switch ((error as { type: unknown }).type) {
    case 'entity.too.large':
      return new ProxyError('payload_too_large', 'The request body is too large.');
    case 'entity.parse.failed':
      return new InvalidRequestError('The request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new InvalidRequestError('Unsupported request body encoding.');
    default:
      return fromBodyReadError(error);
  }
}

/** The only place errors become responses: JSON before headers are sent, the stream's error frame after. */
export function errorHandler({ metrics }: { metrics: Metrics }) {
  // Expected failures: one line without a stack, repeats counted (failure-log.ts); bugs: error with stack.
  const failures = createFailureLog();
  return function handleError(error: unknown, _req: HttpRequest, res: HttpResponse, _next: Next): void {
    const locals = res.locals;
    // Shutdown interrupts open streams by aborting them with this error (open-streams.ts): not a client that left.
    const reason: unknown = locals.abort?.signal.reason;
    const isShutdown = reason instanceof ProxyError && reason.kind === 'server_shutting_down';
    const proxyError = isShutdown ? reason : (fromBodyParser(error) ?? toProxyError(error));
    const aborted = locals.abort?.signal.aborted === true && !isShutdown;
    locals.errorCode = proxyError.code;
    if (proxyError.status >= 500 && !aborted) {
      if (locals.logger) failures.report(locals.logger, error, proxyError);
      if (proxyError.kind.startsWith('upstream')) metrics.upstreamError(proxyError.code);
    }
    if (aborted || res.destroyed) {
      res.destroy();
      return;
    }
    if (res.headersSent) {
      // Mid-stream: the stream's own final error frame (OpenAI's `data: {"error"}` without [DONE], Anthropic's
      // `error` event, Responses' `response.failed`, an `{"error"}` line), registered by writeStream.
      if (locals.streamEncoder) res.end(locals.streamEncoder.errorFrame(proxyError));
      else res.destroy();
      return;
    }
    const body = toErrorBody(locals.errorShape, proxyError, locals.requestId);
    for (const [name, value] of Object.entries(proxyError.headers)) res.setHeader(name, value);
    res.statusCode = proxyError.status;
    sendJson(res, body);
  };
}

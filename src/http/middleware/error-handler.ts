import type { NextFunction, Request, Response } from 'express';
import { NotFoundError, ProxyError, InvalidRequestError, toProxyError } from '../../core/errors.js';
import type { Metrics } from '../../observability/metrics.js';
import { toOpenAIError } from '../../openai/to-openai-error.js';
import { fromBodyReadError } from '../body-errors.js';
import { createFailureLog } from '../failure-log.js';
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

/** The only place errors become responses: JSON before headers are sent, a final SSE frame after. */
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
    // Native Ollama clients (ollama-js, the Go client) read `error` as a string.
    const body = locals.errorShape === 'ollama' ? { error: proxyError.message } : toOpenAIError(proxyError);
    if (res.headersSent) {
      // Mid-stream: a final error frame, then end without [DONE] (the SDK raises it as APIError).
      const contentType = String(res.getHeader('content-type') ?? '');
      // A protocol with its own error event (Responses, Anthropic) sets locals.streamErrorFrame.
      if (locals.streamErrorFrame) {
        res.end(locals.streamErrorFrame(proxyError));
      } else if (contentType.startsWith('text/event-stream')) {
        res.end(`data: ${JSON.stringify(body)}\n\n`);
      } else if (contentType.startsWith('application/x-ndjson')) {
        // Ollama's convention for NDJSON streams: one last `{"error"}` line under the 200 already sent.
        res.end(`${JSON.stringify(body)}\n`);
      } else {
        res.destroy();
      }
      return;
    }
    for (const [name, value] of Object.entries(proxyError.headers)) res.setHeader(name, value);
    res.statusCode = proxyError.status;
    sendJson(res, body);
  };
}

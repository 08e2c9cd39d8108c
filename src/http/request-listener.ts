import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ErrorHandler, Handler, HttpRequest, HttpResponse, Next } from './http-types.js';
import { createRequestLocals } from './locals.js';
import { canonicalTarget, looksNative } from './request-target.js';

/** A route served without Express: an exact method and path, and its whole middleware chain. */
export interface HotRoute {
  method: 'GET' | 'POST';
  path: string;
  handlers: Handler[];
  /** Route template for logs and metrics, set before the chain runs (refused requests keep it). */
  label: string;
}

/**
 * The server's request listener. The few routes that carry the traffic (chat, completions, embeddings, the
 * model list) run their handler chain directly on Node's request and response; everything else, and any
 * variant of a hot path Express would also accept (trailing slash, other case), goes to Express.
 * Express costs more than the rest of a proxied call: it walks every registered layer, matching each path,
 * and swaps the prototypes of req and res, which leaves V8's property caches in Node's HTTP code megamorphic.
 */
export function createRequestListener(fallback: RequestListener, routes: HotRoute[], onError: ErrorHandler, refused: Handler[] = []): RequestListener {
  const table = new Map<string, HotRoute>(routes.map((route) => [`${route.method} ${route.path}`, route]));
  return function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    // The one path normalisation (request-target.ts): every later decision and the passthrough read req.url.
    const raw = req.url ?? '/';
    let url: string;
    try {
      url = canonicalTarget(raw, req);
    } catch (error) {
      return refuseTarget(error, raw, refused, onError, req as HttpRequest, res as HttpResponse);
    }
    if (url !== raw) req.url = url;
    const query = url.indexOf('?');
    const route = table.get(`${req.method} ${query === -1 ? url : url.slice(0, query)}`);
    const response = res as HttpResponse;
    response.locals = createRequestLocals() as HttpResponse['locals'];
    if (route === undefined) return void fallback(req, res);
    response.locals.route = route.label;
    runChain(route.handlers, onError, req as HttpRequest, response);
  };
}

/** A target that cannot be normalised: `refused` (request context, CORS) runs, then the 400 in the family's error shape. */
function refuseTarget(error: unknown, raw: string, refused: Handler[], onError: ErrorHandler, req: HttpRequest, res: HttpResponse): void {
  res.locals = createRequestLocals() as HttpResponse['locals'];
  if (looksNative(raw)) res.locals.errorShape = 'ollama';
  runChain([...refused, (_req, _res, next) => next(error)], onError, req, res);
}

/** Calls each handler in turn when the previous calls next(); next(error), a throw or a rejection ends in onError. */
function runChain(handlers: Handler[], onError: ErrorHandler, req: HttpRequest, res: HttpResponse): void {
  let index = 0;
  let failed = false;
  const fail = (error: unknown) => {
    // One error per request, as in Express: a handler that fails after it has passed an error on is ignored.
    if (failed) return;
    failed = true;
    onError(error ?? new Error('A request handler failed without a reason.'), req, res, ignore);
  };
  const next: Next = (error) => {
    if (error !== undefined && error !== null) return fail(error);
    const handler = handlers[index++];
    if (handler === undefined) return fail(new Error(`No handler answered ${req.method} ${req.url ?? ''}.`));
    try {
      const result = handler(req, res, next);
      if (result !== undefined) result.then(undefined, fail);
    } catch (error) {
      fail(error);
    }
  };
  next();
}

function ignore(): void {}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { isOllamaNativePath, requiredScope } from '../../access/scopes.js';
import { AuthenticationError, PermissionDeniedError, UpstreamUnavailableError } from '../../core/errors.js';
import { createPassthroughTargets, type PassthroughTargets, type PassthroughTargetsOptions } from './passthrough-targets.js';

// Ollama's native API (every /api/* route that is not our /api/v1/*) behind our authentication. Bodies and
// NDJSON streams are piped untouched and unbuffered, so this must run before any body parser. Host is
// rewritten (Ollama refuses foreign Host headers), and our credentials and the browser Origin are not
// forwarded: Ollama needs neither, and refuses foreign origins.

export interface OllamaPassthroughDeps extends PassthroughTargetsOptions {
  urls: readonly string[];
}

const KNOWN_ROUTES = new Set(['generate', 'chat', 'embed', 'embeddings', 'tags', 'show', 'create', 'copy', 'delete',
  'pull', 'push', 'ps', 'version']);
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);
const RETRYABLE_METHODS = new Set(['GET', 'HEAD']);

/** Bounded route label for logs, metrics and the audit log. */
export function passthroughRouteLabel(path: string): string {
  const segment = path.split('/')[2]?.toLowerCase() ?? '';
  if (segment === 'blobs') return '/api/blobs/{digest}';
  return KNOWN_ROUTES.has(segment) ? `/api/${segment}` : '/api/{other}';
}

interface ProxyErrorContext {
  error: Error;
  req: IncomingMessage;
  res: ServerResponse | Socket;
  target: unknown;
  targets: PassthroughTargets;
  attempts: WeakMap<IncomingMessage, Attempt>;
  retry: (req: Request, res: Response, next: NextFunction) => Promise<void>;
  hosts: number;
}

interface Attempt {
  next: NextFunction;
  tried: number;
}

const UNREACHABLE_HINT = 'Start Ollama (`ollama serve`), or set OLLAMA_URL to the address where it runs.';

/** A host that refused the connection rests; a bodiless request is retried on the next host; else a 502. */
function onProxyError(ctx: ProxyErrorContext): void {
  const { error, req, res } = ctx;
  const attempt = ctx.attempts.get(req);
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const url = ctx.targets.find(ctx.target);
  if (url !== undefined && CONNECT_FAILURES.has(code)) ctx.targets.markDown(url);
  if (!('headersSent' in res) || res.headersSent || attempt === undefined) return void res.destroy();
  if (RETRYABLE_METHODS.has(req.method ?? '') && CONNECT_FAILURES.has(code) && attempt.tried < ctx.hosts) {
    attempt.tried++;
    return void ctx.retry(req as Request, res as Response, attempt.next);
  }
  const where = url === undefined ? '' : ` at ${url}`;
  attempt.next(new UpstreamUnavailableError(`Ollama could not be reached${where} for ${req.method} ${passthroughRouteLabel(req.url ?? '')} (${code || error.message}). ${UNREACHABLE_HINT}`));
}

/** Three handlers for an Express router: match (else skip the router), guard (scope), proxy. Authenticate between match and guard. */
export function ollamaPassthrough(deps: OllamaPassthroughDeps) {
  const targets = createPassthroughTargets(deps.urls, deps);
  const attempts = new WeakMap<IncomingMessage, Attempt>();

  const proxy = createProxyMiddleware<Request, Response>({
    target: targets.pick(),
    router: () => targets.pick(),
    changeOrigin: true,
    on: {
      proxyReq(proxyReq, _req, res) {
        const signal = res.locals.abort?.signal;
        // A client that goes away must stop Ollama's work (a generation, a pull), not only our socket.
        if (signal?.aborted) proxyReq.destroy();
        else signal?.addEventListener('abort', () => proxyReq.destroy(), { once: true });
      },
      error: (error, req, res, target) => onProxyError({ error, req, res, target, targets, attempts, retry: proxy, hosts: deps.urls.length }),
    },
  });

  return {
    match(req: Request, res: Response, next: NextFunction): void {
      if (!isOllamaNativePath(req.path)) return next('router');
      res.locals.route = passthroughRouteLabel(req.path);
      res.locals.errorShape = 'ollama';
      next();
    },
    guard(req: Request, res: Response, next: NextFunction): void {
      const principal = res.locals.principal;
      if (!principal) throw new AuthenticationError();
      const scope = requiredScope(req.url) ?? 'ollama';
      if (!principal.scopes.includes(scope)) {
        throw new PermissionDeniedError(`This key lacks the '${scope}' scope required for ${req.method} ${res.locals.route}.`);
      }
      next();
    },
    async forward(req: Request, res: Response, next: NextFunction): Promise<void> {
      delete req.headers.authorization;
      delete req.headers['x-api-key'];
      delete req.headers.origin;
      attempts.set(req, { next, tried: 1 });
      await proxy(req, res, next);
    },
  };
}

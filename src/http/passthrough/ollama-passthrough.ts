import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { assertScope, isOllamaNativePath, requiredScope } from '../../access/scopes.js';
import { AuthenticationError, InvalidRequestError, UpstreamUnavailableError } from '../../core/errors.js';
import { isConnectFailure } from '../../shared/connect-failure.js';
import { parseByteLimit } from '../middleware/json-body.js';
import type { OpenStreams } from '../open-streams.js';
import { readBodyBytes } from '../read-body-bytes.js';
import { checkNativeBody, nativeRouteKind, refuseUnknownRoute } from './native-model-access.js';
import { sendFilteredListing } from './native-listing-filter.js';
import { sendListingUnion } from './native-listing-union.js';
import { createPassthroughTargets, type PassthroughHosts, type PassthroughTargets, type PassthroughTargetsOptions } from './passthrough-targets.js';
import { trackNativeStream } from './passthrough-shutdown.js';

// Ollama's native API (every /api/* route that is not our /api/v1/*) behind our authentication. Bodies and
// NDJSON streams are piped untouched and unbuffered, so this must run before any body parser. Host is
// rewritten (Ollama refuses foreign Host headers), and our credentials and the browser Origin are not
// forwarded: Ollama needs neither, and refuses foreign origins. The path forwarded is req.url, which the
// request listener has already normalised (http/request-target.ts): the scope is decided on that same path.
// A key with a model allow-list is the exception to "untouched": its body is read and checked first, then
// exactly those bytes are forwarded, and /api/tags and /api/ps answers are filtered (native-model-access.ts).

export interface OllamaPassthroughDeps extends PassthroughTargetsOptions {
  urls: readonly string[];
  hosts?: PassthroughHosts;
  /** Largest body read to check a model allow-list (BODY_LIMIT); default 20mb. */
  bodyLimit?: string;
  /** Streams ended with Ollama's `{"error"}` line when the shutdown grace runs out. */
  openStreams?: OpenStreams;
}

const KNOWN_ROUTES = new Set(['generate', 'chat', 'embed', 'embeddings', 'tags', 'show', 'create', 'copy', 'delete',
  'pull', 'push', 'ps', 'version']);
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
  hosts: number;
}

interface Attempt {
  next: NextFunction;
  tried: number;
  /** The proxy that serves this request (plain, or filtering a model listing), used again on retry. */
  proxy: RequestHandler;
  /** Its body was read before proxying (allow-list check, model routing): it can be sent again. */
  replayable: boolean;
}

/** Native routes whose body names the model to run or describe: with several hosts, they go to a host that has it. */
const MODEL_ROUTED = new Set(['/api/chat', '/api/generate', '/api/show', '/api/embed', '/api/embeddings']);

/** Native routes that run the model (a slot on the host): counted in its in-flight requests and admission queue. */
const SLOT_ROUTES = new Set(['/api/chat', '/api/generate', '/api/embed', '/api/embeddings']);

/** `model` (or the older `name`) of a JSON body; undefined when there is none. */
function bodyModel(bytes: Buffer): string | undefined {
  try {
    const body = JSON.parse(bytes.toString('utf8')) as { model?: unknown; name?: unknown } | null;
    const model = body?.model ?? body?.name;
    return typeof model === 'string' && model !== '' ? model : undefined;
  } catch {
    return undefined;
  }
}

const UNREACHABLE_HINT = 'Start Ollama (`ollama serve`), or set OLLAMA_URL to the address where it runs.';

/** A host that refused the connection rests; a bodiless request is retried on the next host; else a 502. */
function onProxyError(ctx: ProxyErrorContext): void {
  const { error, req, res } = ctx;
  const attempt = ctx.attempts.get(req);
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const url = ctx.targets.find(ctx.target);
  const isUnreached = isConnectFailure(error);
  if (url !== undefined && isUnreached) ctx.targets.markDown(url);
  if (!('headersSent' in res) || res.headersSent || attempt === undefined) return void res.destroy();
  if ((RETRYABLE_METHODS.has(req.method ?? '') || attempt.replayable) && isUnreached && attempt.tried < ctx.hosts) {
    attempt.tried++;
    return void attempt.proxy(req as Request, res as Response, attempt.next);
  }
  const where = url === undefined ? '' : ` at ${url}`;
  attempt.next(new UpstreamUnavailableError(`Ollama could not be reached${where} for ${req.method} ${passthroughRouteLabel(req.url ?? '')} (${code || error.message}). ${UNREACHABLE_HINT}`));
}

/** Four handlers for an Express router: match (else skip the router), guard (scope), models (allow-list), proxy. Authenticate between match and guard. */
export function ollamaPassthrough(deps: OllamaPassthroughDeps) {
  const targets = createPassthroughTargets(deps.urls, deps);
  const attempts = new WeakMap<IncomingMessage, Attempt>();
  const checkedBodies = new WeakMap<IncomingMessage, Buffer>();
  const maxBodyBytes = parseByteLimit(deps.bodyLimit ?? '20mb') ?? 20 * 2 ** 20;

  const onProxyReq = (proxyReq: ClientRequest, req: Request, res: Response): void => {
    const signal = res.locals.abort?.signal;
    // A client that goes away must stop Ollama's work (a generation, a pull), not only our socket.
    if (signal?.aborted) proxyReq.destroy();
    else signal?.addEventListener('abort', () => proxyReq.destroy(), { once: true });
    const body = checkedBodies.get(req);
    if (body === undefined) return;
    // The request stream has been read to check it: these are its bytes (the ended stream's pipe then ends proxyReq).
    proxyReq.removeHeader('transfer-encoding');
    proxyReq.setHeader('content-length', body.length);
    proxyReq.write(body);
  };
  const routesByModel = deps.hosts !== undefined && deps.urls.length > 1;
  const models = new WeakMap<IncomingMessage, string>();
  // With a fleet, a generation holds a slot on the host that serves it, from the pick until the response closes
  // (a retry on another host moves it), as the backend's own calls do.
  const slots = new WeakMap<IncomingMessage, string | undefined>();
  const pick = (req: IncomingMessage): string => {
    const url = targets.pick(models.get(req));
    if (slots.has(req)) {
      const held = slots.get(req);
      if (held !== undefined) deps.hosts?.end?.(held, undefined);
      slots.set(req, url);
      deps.hosts?.begin?.(url);
    }
    return url;
  };
  const common = { target: targets.pick(), router: pick, changeOrigin: true } as const;
  const onError = (error: Error, req: IncomingMessage, res: ServerResponse | Socket, target: unknown) =>
    onProxyError({ error, req, res, target, targets, attempts, hosts: deps.urls.length });
  const openStreams = deps.openStreams;
  const proxy = createProxyMiddleware<Request, Response>({
    ...common,
    on: {
      proxyReq: onProxyReq,
      error: onError,
      ...(openStreams ? { proxyRes: (upstream: IncomingMessage, _req: Request, res: Response) => trackNativeStream(openStreams, upstream, res) } : {}),
    },
  });
  // Listings for keys with an allow-list: the answer is read, filtered and re-sent (small JSON, never a stream).
  const listingProxy = createProxyMiddleware<Request, Response>({
    ...common,
    selfHandleResponse: true,
    on: {
      proxyReq(proxyReq, req, res) {
        proxyReq.removeHeader('accept-encoding');
        onProxyReq(proxyReq, req, res);
      },
      proxyRes: (proxyRes, req, res) => sendFilteredListing(proxyRes, res, res.locals.principal?.models ?? [], attempts.get(req)?.next),
      error: onError,
    },
  });

  /** Waits in the fleet's admission queue for the model, then counts the request in flight until it closes. */
  const holdSlot = async (req: Request, res: Response, model: string): Promise<void> => {
    const waiting = deps.hosts?.admit?.(model, res.locals.abort?.signal ?? new AbortController().signal);
    if (waiting !== undefined) await waiting;
    slots.set(req, undefined);
    res.once('close', () => {
      const held = slots.get(req);
      slots.delete(req);
      if (held !== undefined) deps.hosts?.end?.(held, undefined);
    });
  };

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
      assertScope(principal.scopes, requiredScope(req.url) ?? 'ollama', `${req.method} ${res.locals.route}`);
      next();
    },
    /** A key with a model allow-list: the body's models are checked before anything reaches Ollama. */
    async models(req: Request, res: Response, next: NextFunction): Promise<void> {
      const patterns = res.locals.principal?.models;
      if (patterns === undefined) return next();
      const kind = nativeRouteKind(req.path);
      if (kind === 'unknown') refuseUnknownRoute(`${req.method} ${req.path}`);
      if (kind !== 'names-models') return next();
      const encoding = req.headers['content-encoding'];
      if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
        throw new InvalidRequestError(`A '${encoding}'-encoded body cannot be checked against this key's model allow-list; send it uncompressed.`);
      }
      const bytes = await readBodyBytes(req, maxBodyBytes);
      const model = checkNativeBody(bytes, patterns);
      if (model !== undefined) res.locals.model = model;
      if (bytes.length > 0) checkedBodies.set(req, bytes);
      next();
    },
    async forward(req: Request, res: Response, next: NextFunction): Promise<void> {
      delete req.headers.authorization;
      delete req.headers['x-api-key'];
      delete req.headers.origin;
      const isFiltered = res.locals.principal?.models !== undefined && req.method === 'GET' && nativeRouteKind(req.path) === 'lists-models';
      if (routesByModel && req.method === 'GET' && (req.path === '/api/tags' || req.path === '/api/ps')) {
        return sendListingUnion(deps.urls, req.path, res, res.locals.principal?.models, res.locals.abort?.signal ?? AbortSignal.timeout(30_000));
      }
      const chosen = isFiltered ? listingProxy : proxy;
      if (routesByModel && req.method === 'POST' && MODEL_ROUTED.has(req.path.toLowerCase())) {
        // Several hosts: the body names the model, and the host is chosen for it (one read of a small JSON body).
        let bytes = checkedBodies.get(req);
        if (bytes === undefined) {
          bytes = await readBodyBytes(req, maxBodyBytes);
          if (bytes.length > 0) checkedBodies.set(req, bytes);
        }
        const model = bodyModel(bytes);
        if (model !== undefined) models.set(req, model);
        if (model !== undefined && SLOT_ROUTES.has(req.path.toLowerCase())) await holdSlot(req, res, model);
      }
      attempts.set(req, { next, tried: 1, proxy: chosen, replayable: checkedBodies.has(req) });
      await chosen(req, res, next);
    },
  };
}

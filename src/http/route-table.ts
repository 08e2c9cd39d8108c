import type { Express, Request, Response } from 'express';
import { assertModelAllowed } from '../access/model-access.js';
import type { ChatRequest, EmbeddingRequest, TextRequest } from '../core/chat-request.js';
import { ProxyError } from '../core/errors.js';
import type { Scope } from '../core/principal.js';
import type { Handler, HttpRequest, HttpResponse } from './http-types.js';
import type { HotRoute } from './request-listener.js';

// Routes as data: every route the server answers is one entry (method, paths, who may call, handler). Express
// and the hot-route listener are both built from the same entries, and so are the 405 answers for a known path
// asked with another method. Adding a route, or a protocol, is one entry in api-routes.ts.

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call: a scope (authenticated, rate limited, scope checked, JSON body read); `signed-in` (any valid
 * credential, nothing else); `public` (no credential: health, the token exchange, the metrics scrape with its
 * own token).
 */
export type RouteAccess = Scope | 'signed-in' | 'public';

/**
 * What a route's parser makes of its wire body, once: the canonical request and whether to stream. Token limits
 * (estimate), the stream limit and the handler all read this; nobody reads the raw body again.
 */
export interface ParsedCall {
  request: ChatRequest | TextRequest | EmbeddingRequest;
  stream: boolean;
}

/** A handler that needs Express' request (params, query) or response helpers: not servable on the hot path. */
export type ExpressHandler = (req: Request, res: Response) => Promise<void> | void;

interface RouteFields {
  method: Method;
  /** Express path patterns; the first names the route. Variants (no /v1, DeepSeek's /beta) are the same route. */
  paths: readonly string[];
  access: RouteAccess;
  /** Read a JSON body on a public route (scoped routes always read one). */
  json?: boolean;
  /** Runs before authentication: a protocol family's first step (e.g. Anthropic's error shape). */
  before?: readonly Handler[];
  /** The wire body → the canonical call, right after the body is read (scoped routes): see `parsed()`. */
  parse?: (body: unknown) => ParsedCall;
}

/** `hot`: also served by the exact-match listener, without Express (the routes that carry the traffic). */
export type RouteEntry = RouteFields & ({ hot: true; handler: Handler } | { hot?: false; handler: Handler | ExpressHandler });

/**
 * A route that parses its body once: `parse` runs before the token and stream limits, `handle` gets its result.
 * Spread into a route entry: `{ method, paths, access, ...parsed(toChatCall, answer) }`.
 */
export function parsed<P extends ParsedCall>(
  parse: (body: unknown) => P,
  handle: (call: P, req: HttpRequest, res: HttpResponse) => Promise<void>,
): { parse: (body: unknown) => P; handler: Handler } {
  return { parse, handler: (req, res) => handle(res.locals.call as P, req, res) };
}

/**
 * Runs a route's parser: its result is the request's call (locals.call); a bad body ends here with its 400, and a
 * model the key may not use with its 403 (the name as requested; the pipeline checks it again after aliases).
 */
function parseStep(parse: (body: unknown) => ParsedCall): Handler {
  return (req, res, next) => {
    const call = parse(req.body);
    res.locals.call = call;
    res.locals.model = call.request.model;
    res.locals.stream = call.stream;
    assertModelAllowed(call.request.model, res.locals.principal?.models);
    next();
  };
}

/** The middleware each kind of access puts in front of a handler (app.ts builds them from config). */
export interface RouteGuards {
  scoped(scope: Scope): Handler[];
  signedIn: Handler[];
  json: Handler;
  /** Limits that need the parsed call (tokens, concurrent streams); after `parse`. */
  afterParse: Handler[];
}

/**
 * The label a path carries in logs and metrics, fixed when the routes are mounted: its template with parameters
 * written `{name}`, and a variant without /v1 under the /v1 path it stands for (one series per route).
 */
function routeLabel(path: string, paths: readonly string[]): string {
  const named = paths.includes(`/v1${path}`) ? `/v1${path}` : path;
  return named.replace(/[:*](\w+)/g, '{$1}');
}

/** Names the request's route before anything can refuse it, so a 401, 403, 405 or 429 is counted under its route. */
function labelled(label: string): Handler {
  return (_req, res, next) => {
    res.locals.route = label;
    next();
  };
}

/** For a known path asked with a method it does not serve: 405 with `allow`, as OpenAI answers. */
function methodNotAllowed(allow: readonly string[]): Handler {
  const header = [...allow, ...(allow.includes('GET') ? ['HEAD'] : [])].join(', ');
  const served = new Set(header.split(', '));
  return (req, _res, next) => {
    // A served method reaching here means the route itself is not mounted (e.g. metrics off): a plain 404.
    if (served.has(req.method ?? '')) return next();
    const path = (req.url ?? '/').split('?', 1)[0];
    next(new ProxyError('method_not_allowed', `Invalid method for URL (${req.method} ${path}): use ${allow.join(' or ')}.`, { headers: { allow: header } }));
  };
}

function chainOf(entry: RouteEntry, guards: RouteGuards): Handler[] {
  const before = entry.before ?? [];
  // Express passes its own request and response, which are HttpRequest/HttpResponse and more.
  const handler = entry.handler as Handler;
  if (entry.access === 'public') return [...before, ...(entry.json ? [guards.json] : []), handler];
  if (entry.access === 'signed-in') return [...before, ...guards.signedIn, handler];
  const scoped = guards.scoped(entry.access);
  if (entry.parse === undefined) return [...before, ...scoped, ...guards.afterParse, handler];
  return [...before, ...scoped, parseStep(entry.parse), ...guards.afterParse, handler];
}

/**
 * Registers every entry on Express (one registration per path, so Express' req.route.path names the one that
 * matched) and answers 405 with `allow` for the other methods of a known path. Returns the hot routes, with
 * `around` (request context, CORS) in front, for the request listener.
 */
export function mountRoutes(app: Express, entries: readonly RouteEntry[], guards: RouteGuards, around: readonly Handler[]): HotRoute[] {
  const hot: HotRoute[] = [];
  const known = new Map<string, { methods: string[]; before: readonly Handler[]; label: string }>();
  for (const entry of entries) {
    const chain = chainOf(entry, guards);
    for (const path of entry.paths) {
      const label = routeLabel(path, entry.paths);
      app[entry.method.toLowerCase() as Lowercase<Method>](path, labelled(label), ...chain);
      const seen = known.get(path);
      if (seen) seen.methods.push(entry.method);
      else known.set(path, { methods: [entry.method], before: entry.before ?? [], label });
      // The listener sets a hot route's label itself, before the chain.
      if (entry.hot && (entry.method === 'GET' || entry.method === 'POST')) hot.push({ method: entry.method, path, handlers: [...around, ...chain], label });
    }
  }
  // After every route: a path's other methods answer 405, in the route's own error shape (`before`).
  for (const [path, { methods, before, label }] of known) app.all(path, labelled(label), ...before, methodNotAllowed(methods));
  return hot;
}

import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import { NotFoundError } from '../../core/errors.js';

// The operator console (console/, built to dist/console by `npm run build`): static files under /console.
// The console is a client of the admin API and nothing else, so this route holds no powers: every file is public,
// every action behind it needs an admin credential sent by the page itself.

/** No inline scripts or styles, no framing, no other origins: the page talks to this server only. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** Built names only: letters, digits, dot, dash, underscore; no `..`, no hidden files. */
const SAFE_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
/** esbuild's `[name]-[hash]` output: content-addressed, so it may be cached for good. */
const HASHED_ASSET = /^assets\/[^/]+-[A-Z0-9]{8,}\.[a-z]+$/;

export interface ConsoleRouteOptions {
  /** The built console (dist/console). */
  dir: string;
}

/**
 * Mounted with app.use('/console', …): GET and HEAD only. The page is served at `/console` (request targets lose
 * their trailing slash in request-target.ts, so `/console/` arrives as `/console` too); its asset URLs are absolute.
 */
export function consoleRoute({ dir }: ConsoleRouteOptions) {
  const root = resolve(dir);
  return async function serveConsole(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // Not a route-table entry (static files under one prefix): it names its own route.
    res.locals.route = '/console';
    const relative = req.path === '/' ? 'index.html' : req.path.slice(1);
    const file = SAFE_PATH.test(relative) ? resolve(root, relative) : undefined;
    const body = file !== undefined && file.startsWith(root + sep) ? await readFile(file).catch(() => undefined) : undefined;
    if (body === undefined) {
      throw new NotFoundError(relative === 'index.html' ? 'The console is not built; run `npm run build`.' : `No console file '${relative}'.`);
    }
    res.setHeader('content-security-policy', CONSOLE_CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cache-control', HASHED_ASSET.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('content-type', CONTENT_TYPES[extname(relative)] ?? 'application/octet-stream');
    res.setHeader('content-length', body.length);
    // Node leaves the body out of HEAD answers by itself.
    res.status(200).end(body);
  };
}

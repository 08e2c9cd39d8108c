import type { CacheControl } from '../../core/chat-backend.js';
import type { HttpRequest, HttpResponse, Next } from '../http-types.js';

/** `Cache-Control: no-cache` skips the response-cache lookup, `no-store` its write; other directives are ignored. */
export function readCacheControl(header: string | undefined): CacheControl | undefined {
  if (!header) return undefined;
  const directives = header.toLowerCase().split(',').map((directive) => directive.trim());
  const noCache = directives.includes('no-cache');
  const noStore = directives.includes('no-store');
  return noCache || noStore ? { noCache, noStore } : undefined;
}

/** Leaves the directives in res.locals, from where callContext hands them to the pipeline. */
export function cacheControl(req: HttpRequest, res: HttpResponse, next: Next): void {
  const directives = readCacheControl(req.headers['cache-control']);
  if (directives) res.locals.cacheControl = directives;
  next();
}

import { ProxyError } from '../../core/errors.js';
import type { Handler } from '../http-types.js';

/**
 * Gives a request routed by Express its route template before authentication and rate limits run, so refused
 * requests (401, 403, 429) are counted under their route instead of "unmatched". Route handlers may refine it.
 * Hot routes get theirs from the request listener's table.
 */
const WITHOUT_V1 = /^\/(?=(chat|completions|embeddings|models)(\/|$))/;

export const labelFromRoute: Handler = (req, res, next) => {
  if (res.locals.route === undefined) {
    const path = (req as { route?: { path?: unknown } }).route?.path;
    // The paths without /v1 are the same routes: one label each, as their handlers set it.
    if (typeof path === 'string') res.locals.route = path.replace(/[:*](\w+)/g, '{$1}').replace(WITHOUT_V1, '/v1/');
  }
  next();
};

/** For a known path asked with a method it does not serve: 405 with `allow`, as OpenAI answers. */
export function methodNotAllowed(allow: readonly string[]): Handler {
  const header = [...allow, ...(allow.includes('GET') ? ['HEAD'] : [])].join(', ');
  const served = new Set(header.split(', '));
  return (req, _res, next) => {
    // A served method reaching here means the route itself is not mounted (e.g. metrics off): a plain 404.
    if (served.has(req.method ?? '')) return next();
    const path = (req.url ?? '/').split('?', 1)[0];
    next(new ProxyError('method_not_allowed', `Invalid method for URL (${req.method} ${path}): use ${allow.join(' or ')}.`, { headers: { allow: header } }));
  };
}

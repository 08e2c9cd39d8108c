import type { HttpRequest, HttpResponse, Next } from '../http-types.js';

// Browser clients (the openai SDK with dangerouslyAllowBrowser, web chat widgets) send a preflight that allows the
// SDK's own headers. Credentials travel in Authorization, never cookies, so `*` is safe here.
const ALLOW_HEADERS = [
  'authorization', 'content-type', 'openai-organization', 'openai-project', 'openai-beta', 'x-api-key', 'api-key',
  'x-session-id', 'x-request-id', 'cache-control', 'x-stainless-arch', 'x-stainless-lang', 'x-stainless-os',
  'x-stainless-package-version', 'x-stainless-retry-count', 'x-stainless-runtime', 'x-stainless-runtime-version',
  'x-stainless-timeout', 'x-stainless-async', 'x-stainless-helper-method', 'x-stainless-poll-helper',
].join(', ');
const EXPOSE_HEADERS = 'x-request-id, x-cache, x-proxy-warning, retry-after, x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens';

export function cors(req: HttpRequest, res: HttpResponse, next: Next): void {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
  if (req.method !== 'OPTIONS') return next();
  const requested = req.headers['access-control-request-headers'];
  res.setHeader('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
  // Echo what was asked (the SDK adds new x-stainless-* headers over time); the list documents what we expect.
  res.setHeader('access-control-allow-headers', typeof requested === 'string' && requested ? requested : ALLOW_HEADERS);
  res.setHeader('access-control-max-age', '86400');
  res.statusCode = 204;
  res.end();
}

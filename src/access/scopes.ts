import { InvalidRequestError, PermissionDeniedError } from '../core/errors.js';
import { ALL_SCOPES, type Scope } from '../core/principal.js';
import { didYouMean } from '../shared/did-you-mean.js';

// Which scope each route needs. `admin` does not imply the others: the bootstrap admin key simply holds
// every scope, and a key meant only for managing keys can hold `admin` alone.

/** Ollama routes that change the model store (writing blobs is the first step of /api/create). */
const OLLAMA_ADMIN_ROUTES = new Set(['/api/pull', '/api/push', '/api/create', '/api/copy', '/api/delete', '/api/blobs']);

const OPENAI_ROUTE_SCOPES: ReadonlyArray<readonly [RegExp, Scope]> = [
  [/^\/v1\/chat\/completions$/, 'chat'],
  [/^\/v1\/completions$/, 'completions'],
  [/^\/v1\/embeddings$/, 'embeddings'],
  [/^\/v1\/models(\/.+)?$/, 'models:read'],
  [/^\/api\/v1\/chat$/, 'chat'],
  [/^\/api\/v1\/(keys|audit)(\/.*)?$/, 'admin'],
];

export function isScope(value: string): value is Scope {
  return (ALL_SCOPES as readonly string[]).includes(value);
}

/** Validates a scope list from user input; accepts 'a,b' or ['a', 'b']. Unknown names are a 400 naming them. */
export function parseScopes(input: string | readonly string[], param = 'scopes'): Scope[] {
  const items = (typeof input === 'string' ? input.split(',') : input).map((item) => item.trim()).filter(Boolean);
  const unknown = items.filter((item) => !isScope(item));
  if (unknown.length > 0) {
    const hint = unknown.length === 1 ? didYouMean(unknown[0]!, ALL_SCOPES, (match) => `'${match}'`) : '';
    throw new InvalidRequestError(
      `Unknown scope${unknown.length > 1 ? 's' : ''} ${unknown.map((s) => `'${s}'`).join(', ')}; valid scopes are ${ALL_SCOPES.join(', ')}.${hint}`,
      param,
    );
  }
  return ALL_SCOPES.filter((scope) => items.includes(scope));
}

/**
 * The scope a request needs, or null when the route needs none beyond being authenticated (or is not ours).
 * The path must be canonical (http/request-target.ts normalises every request once, before routing; the
 * passthrough forwards that same path), so only case is folded here: Express routes case-blind too.
 */
export function requiredScope(path: string): Scope | null {
  const normalized = withoutQuery(path).toLowerCase();
  for (const [pattern, scope] of OPENAI_ROUTE_SCOPES) if (pattern.test(normalized)) return scope;
  if (normalized === '/api/v1' || normalized.startsWith('/api/v1/')) return null;
  if (normalized === '/api' || normalized.startsWith('/api/')) {
    const route = normalized.split('/').slice(0, 3).join('/');
    return OLLAMA_ADMIN_ROUTES.has(route) ? 'admin' : 'ollama';
  }
  return null;
}

/** Whether a canonical path belongs to Ollama's native API (proxied) rather than to ours (`/api/v1/*`). */
export function isOllamaNativePath(path: string): boolean {
  const normalized = withoutQuery(path).toLowerCase();
  const isApi = normalized === '/api' || normalized.startsWith('/api/');
  return isApi && normalized !== '/api/v1' && !normalized.startsWith('/api/v1/');
}

export function hasScope(scopes: readonly Scope[], required: Scope): boolean {
  return scopes.includes(required);
}

export function assertScope(scopes: readonly Scope[], required: Scope, action?: string): void {
  if (hasScope(scopes, required)) return;
  const what = action === undefined ? '' : ` for ${action}`;
  throw new PermissionDeniedError(`This key lacks the '${required}' scope required${what}.`);
}

function withoutQuery(path: string): string {
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

import { assertScope } from '../../access/scopes.js';
import { AuthenticationError } from '../../core/errors.js';
import type { Principal, Scope } from '../../core/principal.js';
import type { HttpRequest, HttpResponse, Next } from '../http-types.js';

/** Turns the bearer credential (undefined when absent) into a Principal, or throws AuthenticationError. */
export type Authenticator = (credential: string | undefined, req: HttpRequest) => Promise<Principal> | Principal;

/** `Authorization: Bearer <key>` (what the OpenAI SDK sends); `x-api-key` is accepted too. */
export function readCredential(req: HttpRequest): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new AuthenticationError('Malformed Authorization header. Expected "Authorization: Bearer <key>".');
    return match[1];
  }
  const apiKey = req.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey : undefined;
}

export function authenticate(authenticator: Authenticator) {
  return async function authenticateMiddleware(req: HttpRequest, res: HttpResponse, next: Next): Promise<void> {
    res.locals.principal = await authenticator(readCredential(req), req);
    next();
  };
}

/** Route guard: the principal must hold the scope. */
export function requireScope(scope: Scope) {
  return function requireScopeMiddleware(_req: HttpRequest, res: HttpResponse, next: Next): void {
    const principal = res.locals.principal;
    if (!principal) throw new AuthenticationError();
    assertScope(principal.scopes, scope, 'this route');
    next();
  };
}

import type { ChatBackend } from './chat-backend.js';

/** A stage around the backend. Override what you need and spread `next` for the rest. */
export type ChatMiddleware = (next: ChatBackend) => ChatBackend;

/** composeBackend(backend, a, b) → a(b(backend)): the first middleware is the outermost. */
export function composeBackend(backend: ChatBackend, ...middlewares: ChatMiddleware[]): ChatBackend {
  return middlewares.reduceRight<ChatBackend>((next, middleware) => middleware(next), backend);
}

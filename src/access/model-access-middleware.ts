import { defineChatMiddleware, type ChatMiddleware } from '../core/chat-middleware.js';
import { assertModelAllowed } from './model-access.js';

/**
 * Checks the caller's model allow-list against the model a request resolved to. Routes check the name the
 * client sent; this stage sits inside alias resolution and checks the installed model behind it, so an alias
 * (e.g. `deepseek-chat`) cannot reach a model the key may not use. Chat, text and embedding calls alike.
 */
export function enforceModelAccess(): ChatMiddleware {
  return defineChatMiddleware({
    transformRequest(request, ctx) {
      assertModelAllowed(request.model, ctx.principal.models);
      return request;
    },
  });
}

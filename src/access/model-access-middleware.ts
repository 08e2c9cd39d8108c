import type { CallContext } from '../core/chat-backend.js';
import type { ChatMiddleware } from '../core/chat-middleware.js';
import { deferStream } from '../core/defer-stream.js';
import { assertModelAllowed } from './model-access.js';

/**
 * Checks the caller's model allow-list against the model a request resolved to. Routes check the name the
 * client sent; this stage sits inside alias resolution and checks the installed model behind it, so an alias
 * (e.g. `deepseek-chat`) cannot reach a model the key may not use.
 */
export function enforceModelAccess(): ChatMiddleware {
  const check = (model: string, ctx: CallContext): void => assertModelAllowed(model, ctx.principal.models);
  return (next) => ({
    ...next,
    complete: async (request, ctx) => {
      check(request.model, ctx);
      return next.complete(request, ctx);
    },
    stream: (request, ctx) =>
      deferStream(async () => {
        check(request.model, ctx);
        return next.stream(request, ctx);
      }),
    completeText: async (request, ctx) => {
      check(request.model, ctx);
      return next.completeText(request, ctx);
    },
    streamText: (request, ctx) =>
      deferStream(async () => {
        check(request.model, ctx);
        return next.streamText(request, ctx);
      }),
    embed: async (request, ctx) => {
      check(request.model, ctx);
      return next.embed(request, ctx);
    },
  });
}

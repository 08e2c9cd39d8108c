import type { CallContext } from '../core/chat-backend.js';
import { PluginFailedError, PluginRejectedError } from '../core/errors.js';
import type { PluginContext, ProxyPlugin } from './plugin.js';

/** The context one plugin sees for one request; `reject` names the plugin in the 400. */
export function toPluginContext(plugin: ProxyPlugin, ctx: CallContext): PluginContext {
  return {
    principal: ctx.principal,
    requestId: ctx.requestId,
    logger: ctx.logger.child({ plugin: plugin.name }),
    signal: ctx.signal,
    reject(reason: string): never {
      throw new PluginRejectedError(plugin.name, reason);
    },
  };
}

/**
 * Runs one hook so that whatever it does reaches the client as a catalog error naming the plugin:
 * a rejection stays a 400, a client disconnect stays an abort, anything else is a 500 (the plugin crashed).
 */
export async function callPlugin<T>(plugin: ProxyPlugin, ctx: CallContext, hook: (pluginCtx: PluginContext) => T | Promise<T>): Promise<T> {
  try {
    return await hook(toPluginContext(plugin, ctx));
  } catch (error) {
    if (error instanceof PluginRejectedError) throw error;
    if (ctx.signal.aborted) throw error;
    throw new PluginFailedError(plugin.name, error);
  }
}

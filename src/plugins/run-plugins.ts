// pluginsMiddleware: the plugin hooks as one ChatMiddleware. Order per request: beforeRequest in
// registration order → backend (with the server-side tool loop) → afterResult in reverse order.
import type { CallContext } from '../core/chat-backend.js';
import { collectResult, replayEvents, type ChatEvent } from '../core/chat-event.js';
import { deferStream } from '../core/defer-stream.js';
import { defineChatMiddleware, type ChatMiddleware } from '../core/chat-middleware.js';
import type { ChatRequest, ToolDefinition } from '../core/chat-request.js';
import type { ChatResult } from '../core/chat-result.js';
import type { ProxyPlugin } from './plugin.js';
import { callPlugin } from './plugin-call.js';
import type { PluginRegistry } from './plugin-registry.js';
import { selectPlugins, type PluginSelection } from './select-plugins.js';
import { runToolLoop, type RoundRunner } from './tool-loop.js';

export interface PluginsMiddlewareOptions extends PluginSelection {
  registry: PluginRegistry;
  maxToolRounds: number;
}

interface PreparedCall {
  request: ChatRequest;
  plugins: ProxyPlugin[];
  owners: Map<string, ProxyPlugin>;
}

export function pluginsMiddleware(options: PluginsMiddlewareOptions): ChatMiddleware {
  options.registry.assertKnown(Object.values(options.perKey).flat(), 'plugins.perKey');
  const loop = (prepared: PreparedCall, ctx: CallContext, runRound: RoundRunner): AsyncIterable<ChatEvent> =>
    runToolLoop(runRound, prepared.request, { owners: prepared.owners, maxToolRounds: options.maxToolRounds, ctx });
  // No plugin active for the request (the common case): it goes on at once, without its plugin list.
  return defineChatMiddleware({
    wrapComplete(request, ctx, next) {
      const plugins = selectPlugins(options.registry, request, ctx.principal, options);
      if (plugins.length === 0) return next(withoutPluginList(request), ctx);
      return (async () => {
        const prepared = await prepareCall(plugins, request, ctx);
        const result = await collectResult(loop(prepared, ctx, async function* (round) {
          yield* replayEvents(await next(round, ctx));
        }));
        return afterResult(plugins, result, ctx);
      })();
    },
    wrapStream(request, ctx, next) {
      const plugins = selectPlugins(options.registry, request, ctx.principal, options);
      if (plugins.length === 0) return next(withoutPluginList(request), ctx);
      return deferStream(async () => {
        const prepared = await prepareCall(plugins, request, ctx);
        const events = loop(prepared, ctx, (round) => next(round, ctx));
        // afterResult sees the whole result, so a stream through such a plugin is delivered when it is complete.
        if (!plugins.some((plugin) => plugin.afterResult)) return events;
        return replayEvents(await afterResult(plugins, await collectResult(events), ctx));
      });
    },
  });
}

/** Downstream stages never need the plugin list (and the cache fingerprint should not see it). */
function withoutPluginList(request: ChatRequest): ChatRequest {
  if (!('plugins' in request)) return request;
  const { plugins: _requested, ...rest } = request;
  return rest;
}

async function prepareCall(plugins: ProxyPlugin[], incoming: ChatRequest, ctx: CallContext): Promise<PreparedCall> {
  let request = withoutPluginList(incoming);
  for (const plugin of plugins) {
    if (!plugin.beforeRequest) continue;
    const current = request;
    request = await callPlugin(plugin, ctx, async (pluginCtx) => checked(await plugin.beforeRequest!(current, pluginCtx), 'beforeRequest'));
  }
  const owners = new Map<string, ProxyPlugin>();
  for (const plugin of plugins) for (const tool of plugin.tools ?? []) owners.set(tool.name, plugin);
  if (owners.size > 0 && request.toolChoice !== 'none') request = { ...request, tools: withPluginTools(request.tools, plugins) };
  return { request, plugins, owners };
}

/** A plugin's tool replaces a client tool of the same name: the server runs that name. */
function withPluginTools(clientTools: readonly ToolDefinition[] | undefined, plugins: readonly ProxyPlugin[]): ToolDefinition[] {
  const pluginTools = plugins.flatMap((plugin) => plugin.tools ?? []);
  const names = new Set(pluginTools.map((tool) => tool.name));
  return [...(clientTools ?? []).filter((tool) => !names.has(tool.name)), ...pluginTools];
}

async function afterResult(plugins: readonly ProxyPlugin[], result: ChatResult, ctx: CallContext): Promise<ChatResult> {
  let current = result;
  for (const plugin of [...plugins].reverse()) {
    if (!plugin.afterResult) continue;
    const input = current;
    current = await callPlugin(plugin, ctx, async (pluginCtx) => checked(await plugin.afterResult!(input, pluginCtx), 'afterResult'));
  }
  return current;
}

/** A hook that forgets to return its input is a plugin bug; say so instead of failing somewhere downstream. */
function checked<T extends object>(value: T | undefined, hook: string): T {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${hook} must return the (possibly changed) value it was given`);
  return value;
}

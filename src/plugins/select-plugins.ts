import type { ChatRequest } from '../core/chat-request.js';
import { InvalidRequestError } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import type { ProxyPlugin } from './plugin.js';
import type { PluginRegistry } from './plugin-registry.js';

export interface PluginSelection {
  /** Principal id → plugin names enabled for that key. */
  perKey: Readonly<Record<string, readonly string[]>>;
  /** Plugin names enabled for a (resolved) model name. */
  forModel?: (model: string) => readonly string[];
}

/**
 * The plugins active for one request: the always-on ones, those the request asks for (`plugins`),
 * those enabled for its key and for its model. They run in registration order, whoever asked.
 */
export function selectPlugins(registry: PluginRegistry, request: ChatRequest, principal: Principal, selection: PluginSelection): ProxyPlugin[] {
  const wanted = new Set<string>([
    ...registry.always,
    ...(selection.perKey[principal.id] ?? []),
    ...(selection.forModel?.(request.model) ?? []),
  ]);
  for (const name of request.plugins ?? []) {
    if (!registry.get(name)) throw unknownPlugin(registry, name);
    wanted.add(name);
  }
  return registry.plugins.filter((plugin) => wanted.has(plugin.name));
}

function unknownPlugin(registry: PluginRegistry, name: string): InvalidRequestError {
  const reason = registry.unavailable.get(name);
  if (reason) return new InvalidRequestError(`Plugin '${name}' is not enabled on this server: ${reason}`, 'plugins');
  const known = registry.plugins.map((plugin) => plugin.name);
  const hint = known.length > 0 ? ` Available plugins: ${known.join(', ')}.` : ' This server has no plugins.';
  return new InvalidRequestError(`Unknown plugin '${name}'.${hint}`, 'plugins');
}

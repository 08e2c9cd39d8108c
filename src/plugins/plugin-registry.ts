import type { ProxyPlugin } from './plugin.js';

/** The plugins this server was started with. Built once at start-up; requests only pick from it. */
export interface PluginRegistry {
  /** Every usable plugin, in registration order (the order hooks run in). */
  readonly plugins: readonly ProxyPlugin[];
  /** Names active on every request (PLUGINS / plugins.enabled). */
  readonly always: readonly string[];
  /** Names that exist but are switched off, with the reason (e.g. code_interpreter while disabled). */
  readonly unavailable: ReadonlyMap<string, string>;
  get(name: string): ProxyPlugin | undefined;
  /** Throws (at start-up) when a configured name is not a usable plugin. */
  assertKnown(names: Iterable<string>, where: string): void;
  close(): Promise<void>;
}

export interface PluginRegistryInput {
  plugins: readonly ProxyPlugin[];
  always?: readonly string[];
  unavailable?: ReadonlyMap<string, string>;
}

export function createPluginRegistry(input: PluginRegistryInput): PluginRegistry {
  const byName = new Map<string, ProxyPlugin>();
  const toolOwners = new Map<string, string>();
  for (const plugin of input.plugins) {
    if (byName.has(plugin.name)) throw new Error(`Two plugins are named '${plugin.name}'`);
    byName.set(plugin.name, plugin);
    for (const tool of plugin.tools ?? []) {
      const owner = toolOwners.get(tool.name);
      if (owner) throw new Error(`Plugins '${owner}' and '${plugin.name}' both declare the tool '${tool.name}'`);
      toolOwners.set(tool.name, plugin.name);
    }
  }
  const unavailable = input.unavailable ?? new Map<string, string>();
  const registry: PluginRegistry = {
    plugins: [...input.plugins],
    always: [...(input.always ?? [])],
    unavailable,
    get: (name) => byName.get(name),
    assertKnown(names, where) {
      for (const name of names) {
        if (byName.has(name)) continue;
        const reason = unavailable.get(name);
        throw new Error(`${where}: plugin '${name}' ${reason ? `is not available: ${reason}` : 'is not registered'}`);
      }
    },
    async close() {
      await Promise.allSettled(input.plugins.map((plugin) => plugin.close?.()));
    },
  };
  registry.assertKnown(registry.always, 'plugins.enabled');
  return registry;
}

export const emptyPluginRegistry = (): PluginRegistry => createPluginRegistry({ plugins: [] });

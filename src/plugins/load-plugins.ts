// Builds the plugin registry once at start-up: built-ins by name, operator modules by path (dynamic
// import). Every problem is a start-up error naming the entry, so a typo never surfaces mid-request.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../core/logger.js';
import { builtInPlugins, type PluginSettings } from './built-in-plugins.js';
import { describePluginProblems, type ProxyPlugin } from './plugin.js';
import { createPluginRegistry, type PluginRegistry } from './plugin-registry.js';

export interface LoadPluginsDeps {
  logger: Logger;
  /** Relative module paths are resolved against this (default: the working directory). */
  baseDir?: string;
}

export class PluginLoadError extends Error {
  constructor(where: string, entry: string, problem: string) {
    super(`${where}: '${entry}': ${problem}`);
    this.name = 'PluginLoadError';
  }
}

export async function loadPlugins(settings: PluginSettings, deps: LoadPluginsDeps): Promise<PluginRegistry> {
  const builtIns = builtInPlugins(settings, deps.logger);
  const plugins: ProxyPlugin[] = [];
  const register = async (entry: string, where: string): Promise<string> => {
    const plugin = isModulePath(entry) ? await importPlugin(entry, where, deps.baseDir ?? process.cwd()) : createBuiltIn(entry, where, builtIns);
    if (plugins.some((known) => known.name === plugin.name)) throw new PluginLoadError(where, entry, `a plugin named '${plugin.name}' is already registered`);
    plugins.push(plugin);
    return plugin.name;
  };
  const always: string[] = [];
  for (const entry of settings.enabled) always.push(await register(entry, 'plugins.enabled (PLUGINS)'));
  for (const entry of settings.available) await register(entry, 'plugins.available (PLUGINS_AVAILABLE)');
  // Built-ins nobody listed can still be asked for per request, key or model.
  const unavailable = new Map<string, string>();
  for (const [name, builtIn] of builtIns) {
    if (plugins.some((plugin) => plugin.name === name)) continue;
    if ('unavailable' in builtIn) unavailable.set(name, builtIn.unavailable);
    else plugins.push(builtIn.create());
  }
  const registry = createPluginRegistry({ plugins, always, unavailable });
  if (plugins.length > 0) deps.logger.info('plugins registered', { plugins: plugins.map((plugin) => plugin.name), always });
  return registry;
}

const isModulePath = (entry: string): boolean => /[/\\]/.test(entry) || /\.[cm]?[jt]s$/.test(entry) || entry.startsWith('file:');

function createBuiltIn(name: string, where: string, builtIns: ReadonlyMap<string, { create: () => ProxyPlugin } | { unavailable: string }>): ProxyPlugin {
  const builtIn = builtIns.get(name);
  if (!builtIn) {
    const names = [...builtIns.keys()].join(', ');
    throw new PluginLoadError(where, name, `no built-in plugin has this name (built-ins: ${names}; operator plugins are given as a path, e.g. ./plugins/mine.js)`);
  }
  if ('unavailable' in builtIn) throw new PluginLoadError(where, name, builtIn.unavailable);
  return builtIn.create();
}

/** The module's default export, or its `plugin` export, must be a ProxyPlugin. */
async function importPlugin(entry: string, where: string, baseDir: string): Promise<ProxyPlugin> {
  const url = entry.startsWith('file:') ? entry : pathToFileURL(isAbsolute(entry) ? entry : resolve(baseDir, entry)).href;
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new PluginLoadError(where, entry, `cannot import the module: ${error instanceof Error ? error.message : String(error)}`);
  }
  const candidate = module.default ?? module.plugin;
  if (candidate === undefined) throw new PluginLoadError(where, entry, 'the module exports neither a default plugin nor `plugin`');
  const problems = describePluginProblems(candidate);
  if (problems.length > 0) throw new PluginLoadError(where, entry, problems.join('; '));
  return candidate as ProxyPlugin;
}

import type { CallContext, ChatBackend } from '../core/chat-backend.js';
import type { ChatMiddleware } from '../core/chat-middleware.js';
import { deferStream } from '../core/defer-stream.js';
import type { RuntimeSettings } from '../core/chat-request.js';
import type { ModelInfo } from '../core/chat-result.js';

export interface ModelDefaultsEntry {
  options: Record<string, unknown>;
  keepAlive?: string | number | undefined;
  plugins: string[];
}

export interface ModelResolutionOptions {
  /** Configured aliases win over the built-in DeepSeek API names. */
  aliases: Readonly<Record<string, string>>;
  defaults: Readonly<Record<string, ModelDefaultsEntry>>;
  listCacheMs: number;
  now?: () => number;
}

/** DeepSeek's API names → the family of installed Ollama models that serves them. */
const BUILT_IN_ALIASES: Record<string, RegExp> = {
  'deepseek-chat': /^deepseek-v3(\.\d+)?(:|$)/,
  'deepseek-reasoner': /^deepseek-r1(:|$)/,
};

/** Picks the newest-looking installed tag of a family: deepseek-v3.1 over deepseek-v3, then list order. */
export function resolveBuiltInAlias(name: string, installed: readonly ModelInfo[]): string | undefined {
  const family = BUILT_IN_ALIASES[name];
  if (!family) return undefined;
  const matches = installed.map((model) => model.id).filter((id) => family.test(id));
  matches.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
  return matches[0];
}

/** The installed models plus every alias that resolves to one of them, listed under the alias name. */
export function withAliases(installed: ModelInfo[], aliases: Readonly<Record<string, string>>): ModelInfo[] {
  const names = new Set(installed.map((model) => model.id));
  const extra: ModelInfo[] = [];
  for (const alias of new Set([...Object.keys(BUILT_IN_ALIASES), ...Object.keys(aliases)])) {
    if (names.has(alias)) continue;
    const target = aliases[alias] ?? resolveBuiltInAlias(alias, installed);
    const model = installed.find((candidate) => candidate.id === target);
    if (model) extra.push({ ...model, id: alias });
  }
  return extra.length === 0 ? installed : [...installed, ...extra];
}

/** Defaults by exact name, then name without tag (family), then the longest configured prefix. */
export function findModelDefaults(model: string, defaults: Readonly<Record<string, ModelDefaultsEntry>>): ModelDefaultsEntry | undefined {
  const exact = defaults[model] ?? defaults[model.split(':')[0]!];
  if (exact) return exact;
  let best: string | undefined;
  for (const key of Object.keys(defaults)) {
    if (model.startsWith(key) && (!best || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : defaults[best];
}

/**
 * findModelDefaults bound to one configuration, for per-request use: with no defaults configured (the common
 * case) it is a constant function instead of a split and a scan per call.
 */
export function modelDefaultsLookup(defaults: Readonly<Record<string, ModelDefaultsEntry>>): (model: string) => ModelDefaultsEntry | undefined {
  return Object.keys(defaults).length === 0 ? () => undefined : (model) => findModelDefaults(model, defaults);
}

export function applyModelDefaults(runtime: RuntimeSettings | undefined, entry: ModelDefaultsEntry | undefined): RuntimeSettings | undefined {
  if (!entry) return runtime;
  const merged: RuntimeSettings = { options: { ...entry.options, ...runtime?.options } };
  const keepAlive = runtime?.keepAlive ?? entry.keepAlive;
  if (keepAlive !== undefined) merged.keepAlive = keepAlive;
  return merged;
}

/** Resolves aliases and applies per-model default options before anything else sees the request. */
export function modelResolution(options: ModelResolutionOptions): ChatMiddleware {
  const now = options.now ?? Date.now;
  const defaultsFor = modelDefaultsLookup(options.defaults);
  return (next) => {
    let cached: { at: number; models: Promise<ModelInfo[]> } | undefined;
    const installed = (ctx: CallContext): Promise<ModelInfo[]> => {
      if (!cached || now() - cached.at > options.listCacheMs) {
        const models = next.listModels(ctx);
        cached = { at: now(), models };
        models.catch(() => (cached = undefined));
      }
      return cached.models;
    };
    const withModel = <T extends { model: string; runtime?: RuntimeSettings }>(request: T, model: string): T => {
      const runtime = applyModelDefaults(request.runtime, defaultsFor(model));
      if (model === request.model && runtime === request.runtime) return request;
      const prepared = { ...request, model };
      if (runtime) prepared.runtime = runtime;
      return prepared;
    };
    // Synchronous unless a built-in alias needs the installed list: no promise per request for plain names.
    const prepare = <T extends { model: string; runtime?: RuntimeSettings }>(request: T, ctx: CallContext): T | Promise<T> => {
      const { model } = request;
      // Own properties only: a model named 'constructor' or 'toString' is just a name.
      const configured = Object.hasOwn(options.aliases, model) ? options.aliases[model] : undefined;
      if (configured || !Object.hasOwn(BUILT_IN_ALIASES, model)) return withModel(request, configured || model);
      return installed(ctx).then((list) => withModel(request, resolveBuiltInAlias(model, list) ?? model));
    };
    const withPrepared = <T extends { model: string; runtime?: RuntimeSettings }, R>(request: T, ctx: CallContext, use: (prepared: T) => Promise<R>): Promise<R> => {
      try {
        const prepared = prepare(request, ctx);
        return prepared instanceof Promise ? prepared.then(use) : use(prepared);
      } catch (error) {
        return Promise.reject(error);
      }
    };
    return {
      ...next,
      complete: (request, ctx) => withPrepared(request, ctx, (prepared) => next.complete(prepared, ctx)),
      stream: (request, ctx) => deferStream(async () => next.stream(await prepare(request, ctx), ctx)),
      completeText: (request, ctx) => withPrepared(request, ctx, (prepared) => next.completeText(prepared, ctx)),
      streamText: (request, ctx) => deferStream(async () => next.streamText(await prepare(request, ctx), ctx)),
      embed: (request, ctx) => withPrepared(request, ctx, (prepared) => next.embed(prepared, ctx)),
      listModels: async (ctx) => withAliases(await next.listModels(ctx), options.aliases),
    };
  };
}

import type { CallContext } from '../core/chat-backend.js';
import { defineChatMiddleware, type ChatMiddleware } from '../core/chat-middleware.js';
import type { ReasoningSettings, RuntimeSettings } from '../core/chat-request.js';
import type { ModelInfo } from '../core/chat-result.js';
import { ModelNotFoundError } from '../core/errors.js';
import { DEEPSEEK_API_ALIASES, findAliasRule, resolveAliasRule, type AliasRule } from './model-aliases.js';
import { compileAliases, findConfiguredAlias, matchTagless, suggestModels } from './model-names.js';

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

/** A built-in alias (DeepSeek API name or coding-agent name) → the installed tag it resolves to, if any. */
export function resolveBuiltInAlias(name: string, installed: readonly ModelInfo[]): string | undefined {
  const rule = findAliasRule(name);
  return rule ? resolveAliasRule(rule, installed) : undefined;
}

/** GET /v1/models/{id}: the model a name reaches through a configured alias (exact or wildcard) or a built-in one. */
export function aliasTargetResolver(aliases: Readonly<Record<string, string>>): (name: string, installed: readonly ModelInfo[]) => string | undefined {
  const configured = compileAliases(aliases);
  return (name, installed) => findConfiguredAlias(name, configured) ?? resolveBuiltInAlias(name, installed);
}

/** The installed models plus every named alias that resolves to one of them, listed under the alias name. */
export function withAliases(installed: ModelInfo[], aliases: Readonly<Record<string, string>>): ModelInfo[] {
  const names = new Set(installed.map((model) => model.id));
  const extra: ModelInfo[] = [];
  const named = Object.keys(aliases).filter((alias) => !alias.includes('*'));
  for (const alias of new Set([...Object.keys(DEEPSEEK_API_ALIASES), ...named])) {
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

type Resolvable = { model: string; runtime?: RuntimeSettings; reasoning?: ReasoningSettings };

/** 404s that already say what is installed (ours), so the error path does not explain them twice. */
const explained = new WeakSet<Error>();

/** The 404 of an alias nothing installed can serve: what it is, what it looks for, what is there, how to map it. */
function aliasNotFound(name: string, rule: AliasRule, installed: readonly ModelInfo[]): ModelNotFoundError {
  const list = installed.length === 0 ? 'nothing is installed' : `installed: ${installed.map((model) => model.id).join(', ')}`;
  return mark(new ModelNotFoundError(
    name,
    `'${name}' is an alias of this proxy for ${rule.describes}; no installed model matches (${list}). ` +
      `Pull one (e.g. ollama pull deepseek-r1:8b) or map the name in CONFIG_FILE: models.aliases: { "${name}": "<installed model>" }.`,
  ));
}

/** A 404 for a plain name, with the installed names that come close. */
function unknownModel(name: string, installed: readonly ModelInfo[]): ModelNotFoundError {
  const close = suggestModels(name, installed);
  const hint = close.length > 0 ? ` Did you mean ${close.map((id) => `'${id}'`).join(' or ')}?` : '';
  const list = installed.length === 0 ? ' Nothing is installed.' : ` Installed: ${installed.map((model) => model.id).join(', ')}.`;
  return mark(new ModelNotFoundError(name, `The model '${name}' is not installed.${hint}${list} Names can be mapped with models.aliases in CONFIG_FILE.`));
}

function mark(error: ModelNotFoundError): ModelNotFoundError {
  explained.add(error);
  return error;
}

/**
 * Resolves aliases and tag-less names and applies per-model default options before anything else sees the
 * request (chat, text and embedding alike); the model list shows the aliases too.
 */
export function modelResolution(options: ModelResolutionOptions): ChatMiddleware {
  const now = options.now ?? Date.now;
  const defaultsFor = modelDefaultsLookup(options.defaults);
  const configured = compileAliases(options.aliases);
  return defineChatMiddleware((next) => {
    let cached: { at: number; models: Promise<ModelInfo[]> } | undefined;
    const installed = (ctx: CallContext): Promise<ModelInfo[]> => {
      if (!cached || now() - cached.at > options.listCacheMs) {
        const models = next.listModels(ctx);
        cached = { at: now(), models };
        models.catch(() => (cached = undefined));
      }
      return cached.models;
    };
    const withModel = <T extends Resolvable>(request: T, model: string, ctx: CallContext, reasoning?: ReasoningSettings): T => {
      ctx.outcome.model = model;
      const runtime = applyModelDefaults(request.runtime, defaultsFor(model));
      const addsReasoning = reasoning !== undefined && 'messages' in request && request.reasoning === undefined;
      if (model === request.model && runtime === request.runtime && !addsReasoning) return request;
      const prepared = { ...request, model };
      if (runtime) prepared.runtime = runtime;
      if (addsReasoning) prepared.reasoning = reasoning;
      return prepared;
    };
    const viaAlias = <T extends Resolvable>(request: T, rule: AliasRule, ctx: CallContext): Promise<T> =>
      installed(ctx).then((list) => {
        const id = resolveAliasRule(rule, list);
        if (id === undefined) throw aliasNotFound(request.model, rule, list);
        return withModel(request, id, ctx, rule.reasoning);
      });
    // A name without a tag that Ollama would miss (no `:latest`) but that names exactly one installed tag.
    const viaTagless = <T extends Resolvable>(request: T, ctx: CallContext): Promise<T> =>
      installed(ctx).then(
        (list) => {
          const match = matchTagless(request.model, list);
          if (match.kind === 'several') {
            throw mark(new ModelNotFoundError(request.model, `'${request.model}' has no :latest tag here and names several installed models: ${match.ids.join(', ')}. Name one of them.`));
          }
          return withModel(request, match.kind === 'one' ? match.id : request.model, ctx);
        },
        () => withModel(request, request.model, ctx),
      );
    return {
      // Synchronous for tagged names and configured aliases: no promise per request on the common path.
      transformRequest(request, ctx) {
        const { model } = request;
        const target = findConfiguredAlias(model, configured);
        if (target) return withModel(request, target, ctx);
        const rule = findAliasRule(model);
        if (rule) return viaAlias(request, rule, ctx);
        if (model !== '' && !model.includes(':')) return viaTagless(request, ctx);
        return withModel(request, model, ctx);
      },
      // Only on the error path: a 404 from Ollama learns which installed names come close.
      mapError(error, request, ctx) {
        if (!(error instanceof ModelNotFoundError) || explained.has(error)) throw error;
        return installed(ctx).then(
          (list) => {
            throw unknownModel(request.model, list);
          },
          () => {
            throw error;
          },
        );
      },
      wrapListModels: async (ctx, listModels) => withAliases(await listModels(ctx), options.aliases),
    };
  });
}

import type { ModelTraits } from './model-traits.js';

// /api/show once per model, not per request: the first request for a model waits for it, later ones read the
// cached value synchronously. A failed lookup is remembered briefly as "unknown" so an Ollama without /api/show
// (or a model that is being pulled) does not cost a round trip per request.

export interface ModelTraitsCache {
  /** Cached traits, or undefined when unknown or not cached yet. */
  peek(model: string): ModelTraits | undefined;
  /** Cached traits, loading them first if needed; undefined when /api/show failed. */
  get(model: string): ModelTraits | undefined | Promise<ModelTraits | undefined>;
  forget(model: string): void;
}

export interface ModelTraitsCacheOptions {
  load: (model: string) => Promise<ModelTraits>;
  ttlMs: number;
  failureTtlMs: number;
  now: () => number;
  maxEntries?: number;
}

interface Entry {
  expiresAt: number;
  traits: ModelTraits | undefined;
  loading?: Promise<ModelTraits | undefined>;
}

export function createModelTraitsCache(options: ModelTraitsCacheOptions): ModelTraitsCache {
  const entries = new Map<string, Entry>();
  const maxEntries = options.maxEntries ?? 256;

  const fresh = (model: string): Entry | undefined => {
    const entry = entries.get(model);
    if (entry && (entry.loading || entry.expiresAt > options.now())) return entry;
    return undefined;
  };

  const load = (model: string): Promise<ModelTraits | undefined> => {
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    const entry: Entry = { expiresAt: 0, traits: undefined };
    entry.loading = options.load(model).then(
      (traits) => {
        Object.assign(entry, { traits, expiresAt: options.now() + options.ttlMs, loading: undefined });
        return traits;
      },
      () => {
        Object.assign(entry, { traits: undefined, expiresAt: options.now() + options.failureTtlMs, loading: undefined });
        return undefined;
      },
    );
    entries.set(model, entry);
    return entry.loading;
  };

  return {
    peek: (model) => fresh(model)?.traits,
    get(model) {
      const entry = fresh(model);
      if (!entry) return load(model);
      return entry.loading ?? entry.traits;
    },
    forget: (model) => void entries.delete(model),
  };
}

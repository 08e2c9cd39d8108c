// The fake's mutable world: installed models, loaded models (what /api/ps reports) and uploaded
// blobs. Arrays are mutated in place so references handed to tests stay live across reset().
import type { FakeModel } from './fake-model.js';
import { modelKey } from './model-name.js';
import { createKvSlots, type KvSlots } from './kv-slots.js';

export interface LoadedModel {
  /** The installed model's name. */
  name: string;
  /** `Infinity` keep_alive (negative on the wire) shows as a date centuries ahead, as in Ollama. */
  expiresAt: Date;
  /** Allocated context, i.e. the effective num_ctx. */
  contextLength: number;
}

export interface ModelState {
  readonly models: FakeModel[];
  readonly loaded: LoadedModel[];
  /** Digests (`sha256:<hex>`) uploaded through /api/blobs. */
  readonly blobs: Set<string>;
  find(name: string): FakeModel | undefined;
  /** Installs the model, replacing one with the same name. */
  install(model: FakeModel): void;
  /** Removes the model and unloads it; false when it was not installed. */
  uninstall(name: string): boolean;
  /** Times a model had to be loaded (touch found it unloaded) since the start or reset(). */
  readonly coldLoads: number;
  /** Marks the model loaded for keepAliveMs; returns whether it was already loaded. */
  touch(model: FakeModel, keepAliveMs: number, numCtx: unknown): boolean;
  unload(name: string): void;
  /** Next value of a per-server counter (tool-call ids, completion ids). */
  nextSeq(): number;
  /** Each loaded model's KV caches, one per parallel slot. */
  readonly kvSlots: KvSlots;
  /** Prompt tokens evaluated (not read from a KV cache) and read from one, since the start or reset(). */
  readonly promptTokens: { evaluated: number; cached: number };
  /** Counts one generation's prompt: `total` tokens of which `cached` came from the KV cache. */
  countPrompt(total: number, cached: number): void;
  /** The num_ctx a request gets: its own, else the Modelfile's, else the server default, within the trained length. */
  contextFor(model: FakeModel, numCtx: unknown): number;
  reset(): void;
}

const DEFAULT_NUM_CTX = 4096;
const FOREVER_MS = 292 * 365 * 24 * 3_600_000;

function allocatedContext(model: FakeModel, numCtx: unknown): number {
  const fromModelfile = model.parameters['num_ctx'];
  const wanted =
    typeof numCtx === 'number' ? numCtx : typeof fromModelfile === 'number' ? fromModelfile : DEFAULT_NUM_CTX;
  return Math.min(Math.trunc(wanted), model.contextLength);
}

export interface ModelStateOptions {
  /** KV cache slots per model (Ollama's OLLAMA_NUM_PARALLEL). Default 1. */
  slots?: number;
  /** Models in memory at once (OLLAMA_MAX_LOADED_MODELS); loading one more unloads the least recently used. Default unlimited. */
  maxLoaded?: number;
}

export function createModelState(initial: readonly FakeModel[], options: ModelStateOptions = {}): ModelState {
  const models: FakeModel[] = structuredClone([...initial]);
  const loaded: LoadedModel[] = [];
  const blobs = new Set<string>();
  let seq = 0;
  let coldLoads = 0;
  const kvSlots = createKvSlots(options.slots ?? 1);
  const promptTokens = { evaluated: 0, cached: 0 };
  const maxLoaded = options.maxLoaded ?? Infinity;
  const lastUse = new Map<string, number>();
  let useClock = 0;
  const indexOf = (name: string): number => models.findIndex((m) => modelKey(m.name) === modelKey(name));
  const loadedIndex = (name: string): number => loaded.findIndex((l) => modelKey(l.name) === modelKey(name));
  const dropExpired = (): void => {
    const now = Date.now();
    for (let i = loaded.length - 1; i >= 0; i--) if ((loaded[i]?.expiresAt.getTime() ?? 0) <= now) loaded.splice(i, 1);
  };
  const evictLeastRecent = (): void => {
    let victim = -1;
    for (let i = 0; i < loaded.length; i++) {
      const used = lastUse.get(modelKey(loaded[i]!.name)) ?? 0;
      if (victim < 0 || used < (lastUse.get(modelKey(loaded[victim]!.name)) ?? 0)) victim = i;
    }
    if (victim >= 0) state.unload(loaded[victim]!.name);
  };
  const state: ModelState = {
    models,
    loaded,
    blobs,
    get coldLoads() {
      return coldLoads;
    },
    find: (name) => models[indexOf(name)],
    install(model) {
      const at = indexOf(model.name);
      if (at >= 0) models.splice(at, 1, model);
      else models.push(model);
    },
    uninstall(name) {
      const at = indexOf(name);
      if (at < 0) return false;
      models.splice(at, 1);
      state.unload(name);
      return true;
    },
    touch(model, keepAliveMs, numCtx) {
      dropExpired();
      const at = loadedIndex(model.name);
      const wasLoaded = at >= 0;
      const ms = Number.isFinite(keepAliveMs) ? keepAliveMs : FOREVER_MS;
      const entry = { name: model.name, expiresAt: new Date(Date.now() + ms), contextLength: allocatedContext(model, numCtx) };
      if (wasLoaded) loaded.splice(at, 1, entry);
      else {
        if (loaded.length >= maxLoaded) evictLeastRecent();
        loaded.push(entry);
        coldLoads++;
      }
      lastUse.set(modelKey(model.name), ++useClock);
      return wasLoaded;
    },
    unload(name) {
      const at = loadedIndex(name);
      if (at >= 0) loaded.splice(at, 1);
      kvSlots.drop(modelKey(name));
    },
    nextSeq: () => ++seq,
    kvSlots,
    promptTokens,
    countPrompt(total, cached) {
      promptTokens.evaluated += total - cached;
      promptTokens.cached += cached;
    },
    contextFor: allocatedContext,
    reset() {
      kvSlots.clear();
      promptTokens.evaluated = 0;
      promptTokens.cached = 0;
      lastUse.clear();
      models.splice(0, models.length, ...structuredClone([...initial]));
      loaded.splice(0, loaded.length);
      blobs.clear();
      seq = 0;
      coldLoads = 0;
    },
  };
  return state;
}

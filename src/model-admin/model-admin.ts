import type { ModelInfo } from '../core/chat-result.js';
import { UpstreamError } from '../core/errors.js';
import type { LoadedModel, ModelDescription, ModelProgress, ModelRuntime } from '../core/model-runtime.js';
import { parseMemoryLimit, type MemoryLimit } from './memory-limit.js';
import { conflictingGpuSettings, planGpuLayers, type GpuPlan, type ModelShape } from './plan-gpu-layers.js';

// Model management on top of the runtime port: list what is installed and loaded, pull and load a model onto
// a chosen GPU within a memory limit, unload. Deleting from disk stays on Ollama's own admin route.

export interface DeployRequest {
  model: string;
  gpuId?: number;
  numGpu?: number;
  memoryLimit?: string;
  keepAlive?: string | number;
  /** false: only make sure it is installed (pull), do not load it. */
  load: boolean;
}

export interface DeployResult {
  model: string;
  pulled: boolean;
  loaded: boolean;
  gpuId?: number;
  keepAlive?: string | number;
  plan?: GpuPlan;
  sizeBytes?: number;
  /** From the runtime after loading: how much of the model is in GPU memory. */
  memory?: LoadedModel;
}

export type DeployEvent = { type: 'progress'; progress: ModelProgress } | { type: 'result'; result: DeployResult };

export interface AdminModel {
  info: ModelInfo;
  loaded?: LoadedModel;
}

export interface ModelAdmin {
  list(signal: AbortSignal): Promise<AdminModel[]>;
  /** Yields pull progress (only when the model was missing), then one result. Errors before the first yield are plain throws. */
  deploy(request: DeployRequest, signal: AbortSignal): AsyncGenerator<DeployEvent>;
  unload(model: string, signal: AbortSignal): Promise<{ model: string; wasLoaded: boolean }>;
}

/** Ollama names: case-insensitive, `:latest` when no tag is given. */
export function sameModel(a: string, b: string): boolean {
  const canonical = (name: string) => (/:[^/]*$/.test(name) ? name : `${name}:latest`).toLowerCase();
  return canonical(a) === canonical(b);
}

export interface ModelAdminOptions {
  /** The Ollama server's default num_ctx (OLLAMA_CONTEXT_LENGTH), for sizing the KV cache. */
  serverNumCtx?: number | undefined;
}

export function createModelAdmin(runtime: ModelRuntime, options: ModelAdminOptions = {}): ModelAdmin {
  const findInstalled = async (model: string, signal: AbortSignal) =>
    (await runtime.listInstalled(signal)).find((info) => sameModel(info.id, model));

  async function describeAll(models: ModelInfo[], signal: AbortSignal): Promise<ModelInfo[]> {
    // /api/tags lacks the context length; /api/show has it. One failing model must not hide the others.
    return Promise.all(
      models.map((info) =>
        runtime.describeModel(info.id, signal).then(
          // Ollama's /api/tags has listed capabilities only in recent versions; /api/show always has them.
          (described) => ({
            ...info,
            ...(described.contextLength === undefined ? {} : { contextLength: described.contextLength }),
            ...(info.capabilities?.length || !described.capabilities ? {} : { capabilities: described.capabilities }),
          }),
          () => info,
        ),
      ),
    );
  }

  return {
    async list(signal) {
      const [installed, loaded] = await Promise.all([runtime.listInstalled(signal), runtime.listLoaded(signal)]);
      const described = await describeAll(installed, signal);
      return described.map((info) => {
        const memory = loaded.find((entry) => sameModel(entry.name, info.id));
        return memory ? { info, loaded: memory } : { info };
      });
    },

    async *deploy(request, signal) {
      // Settings that can be checked without the model are checked before spending minutes on a pull.
      const memoryLimit = request.memoryLimit === undefined ? undefined : parseMemoryLimit(request.memoryLimit);
      if (memoryLimit && request.numGpu !== undefined) throw conflictingGpuSettings();
      let installed = await findInstalled(request.model, signal);
      const pulled = installed === undefined;
      if (!installed) {
        for await (const progress of runtime.pullModel(request.model, signal)) yield { type: 'progress', progress };
        installed = await findInstalled(request.model, signal);
        if (!installed) throw new UpstreamError(`Ollama reported a successful pull but does not list '${request.model}'.`);
      }
      const result: DeployResult = { model: installed.id, pulled, loaded: false };
      if (installed.sizeBytes !== undefined) result.sizeBytes = installed.sizeBytes;
      yield { type: 'result', result: request.load ? await load(runtime, request, memoryLimit, installed, signal, result, options.serverNumCtx) : result };
    },

    async unload(model, signal) {
      const wasLoaded = (await runtime.listLoaded(signal)).some((entry) => sameModel(entry.name, model));
      await runtime.unloadModel(model, signal);
      return { model, wasLoaded };
    },
  };
}

/** Ollama's default context on GPUs under 24 GiB (0.15.5+), used when neither the Modelfile nor config sets one. */
const OLLAMA_DEFAULT_NUM_CTX = 4096;

function shapeOf(description: ModelDescription, blockCount: number, serverNumCtx: number | undefined): ModelShape {
  const numCtx = Math.min(description.numCtx ?? serverNumCtx ?? OLLAMA_DEFAULT_NUM_CTX, description.contextLength ?? Infinity);
  return {
    blockCount,
    embeddingLength: description.embeddingLength,
    headCount: description.headCount,
    headCountKv: description.headCountKv,
    keyLength: description.keyLength,
    valueLength: description.valueLength,
    numCtx,
  };
}

async function load(
  runtime: ModelRuntime,
  request: DeployRequest,
  memoryLimit: MemoryLimit | undefined,
  installed: ModelInfo,
  signal: AbortSignal,
  result: DeployResult,
  contextLength: number | undefined,
): Promise<DeployResult> {
  const description = memoryLimit ? await runtime.describeModel(installed.id, signal) : undefined;
  const plan = planGpuLayers({
    model: installed.id,
    ...(request.numGpu === undefined ? {} : { numGpu: request.numGpu }),
    ...(memoryLimit ? { memoryLimit } : {}),
    ...(installed.sizeBytes === undefined ? {} : { sizeBytes: installed.sizeBytes }),
    ...(description?.blockCount === undefined ? {} : { blockCount: description.blockCount }),
    ...(description?.blockCount === undefined ? {} : { shape: shapeOf(description, description.blockCount, contextLength) }),
  });
  const options: Record<string, unknown> = {};
  if (request.gpuId !== undefined) options.main_gpu = request.gpuId;
  if (plan.numGpu !== undefined) options.num_gpu = plan.numGpu;
  await runtime.loadModel({ model: installed.id, options, ...(request.keepAlive === undefined ? {} : { keepAlive: request.keepAlive }) }, signal);
  const memory = (await runtime.listLoaded(signal)).find((entry) => sameModel(entry.name, installed.id));
  const loaded: DeployResult = { ...result, loaded: true, plan };
  if (request.gpuId !== undefined) loaded.gpuId = request.gpuId;
  if (request.keepAlive !== undefined) loaded.keepAlive = request.keepAlive;
  if (memory) loaded.memory = memory;
  return loaded;
}

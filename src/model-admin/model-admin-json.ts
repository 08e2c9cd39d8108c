import type { LoadedModel, ModelProgress } from '../core/model-runtime.js';
import type { AdminModel, DeployEvent, DeployResult } from './model-admin.js';

// The operations API's JSON (snake_case, like the rest of the HTTP API). Pure.

function loadedJson(loaded: LoadedModel) {
  return {
    size_bytes: loaded.sizeBytes,
    vram_bytes: loaded.vramBytes,
    context_length: loaded.contextLength ?? null,
    expires_at: loaded.expiresAt?.toISOString() ?? null,
  };
}

export function toAdminModelJson({ info, loaded }: AdminModel) {
  return {
    name: info.id,
    size_bytes: info.sizeBytes ?? null,
    family: info.family ?? null,
    parameter_size: info.parameterSize ?? null,
    quantization: info.quantization ?? null,
    capabilities: info.capabilities ?? [],
    context_length: info.contextLength ?? null,
    loaded: loaded !== undefined,
    vram_bytes: loaded?.vramBytes ?? null,
    expires_at: loaded?.expiresAt?.toISOString() ?? null,
  };
}

export function toDeployResultJson(result: DeployResult) {
  const plan = result.plan;
  return {
    model: result.model,
    pulled: result.pulled,
    loaded: result.loaded,
    gpu_id: result.gpuId ?? null,
    num_gpu: plan?.numGpu ?? null,
    keep_alive: result.keepAlive ?? null,
    size_bytes: result.sizeBytes ?? null,
    decision: plan
      ? {
          num_gpu: plan.numGpu ?? null,
          reason: plan.reason,
          total_layers: plan.totalLayers ?? null,
          layer_bytes: plan.layerBytes ?? null,
          kv_cache_layer_bytes: plan.kvLayerBytes ?? null,
          compute_graph_bytes: plan.graphBytes ?? null,
          num_ctx: plan.numCtx ?? null,
          memory_limit_bytes: plan.limitBytes ?? null,
        }
      : null,
    memory: result.memory ? loadedJson(result.memory) : null,
  };
}

function progressJson(progress: ModelProgress) {
  return {
    status: progress.status,
    ...(progress.digest === undefined ? {} : { digest: progress.digest }),
    ...(progress.total === undefined ? {} : { total: progress.total }),
    ...(progress.completed === undefined ? {} : { completed: progress.completed }),
  };
}

/** One streamed line: Ollama-style progress, then `{"status":"done","result":{…}}`. */
export function toDeployEventJson(event: DeployEvent) {
  return event.type === 'progress' ? progressJson(event.progress) : { status: 'done', result: toDeployResultJson(event.result) };
}

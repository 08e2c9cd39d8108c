import { InvalidRequestError } from '../core/errors.js';
import { formatBytes, type MemoryLimit } from './memory-limit.js';

// How many layers Ollama should offload to the GPU (`num_gpu`). Ollama counts the repeating blocks plus the
// output layer, so a model with block_count N has N + 1 offloadable layers. A GPU layer costs its weights
// (model size / (N + 1)) plus its share of the KV cache, and the GPU also holds the compute graph once.
// KV cache per block: num_ctx × head_count_kv × (key_length + value_length) × 2 bytes (f16, Ollama's default
// cache type), with key/value length = embedding_length / head_count when the model does not state them.
// Compute graph: Ollama's generic estimate, 4 × num_batch (512) × (1 + 4 × embedding_length + num_ctx × (1 + head_count)).

export interface ModelShape {
  /** `<arch>.block_count`. */
  blockCount: number;
  embeddingLength?: number | undefined;
  headCount?: number | undefined;
  /** Grouped-query attention: fewer KV heads than query heads; equals headCount when absent. */
  headCountKv?: number | undefined;
  keyLength?: number | undefined;
  valueLength?: number | undefined;
  /** The context the model will be loaded with. */
  numCtx: number;
}

export interface GpuPlanInput {
  model: string;
  /** As given by the client; wins when set. */
  numGpu?: number;
  memoryLimit?: MemoryLimit;
  /** Model file size (from the installed list); needed only with memoryLimit. */
  sizeBytes?: number;
  /** `<arch>.block_count`; needed only with memoryLimit. */
  blockCount?: number;
  /** Attention shape and context, for the KV cache and compute graph; without it only weights are counted. */
  shape?: ModelShape;
}

export interface GpuPlan {
  /** Undefined: let Ollama decide. */
  numGpu?: number;
  reason: string;
  totalLayers?: number;
  /** Weights per layer. */
  layerBytes?: number;
  /** KV cache per block (f16) at the planned num_ctx. */
  kvLayerBytes?: number;
  graphBytes?: number;
  numCtx?: number;
  limitBytes?: number;
}

export function conflictingGpuSettings(): InvalidRequestError {
  return new InvalidRequestError('Give num_gpu or memory_limit, not both.', 'memory_limit');
}

export function planGpuLayers(input: GpuPlanInput): GpuPlan {
  if (input.numGpu !== undefined && input.memoryLimit) throw conflictingGpuSettings();
  if (input.numGpu !== undefined) return { numGpu: input.numGpu, reason: `num_gpu ${input.numGpu} as requested.` };
  if (!input.memoryLimit) {
    return { reason: 'Neither num_gpu nor memory_limit given: Ollama decides how many layers fit the GPU.' };
  }
  const blockCount = input.shape?.blockCount ?? input.blockCount;
  if (input.sizeBytes === undefined || input.sizeBytes <= 0 || blockCount === undefined) {
    throw new InvalidRequestError(
      `Cannot derive layers for '${input.model}': Ollama does not report its size and block count. Set num_gpu instead.`,
      'memory_limit',
    );
  }
  return planFromLimit(input.model, input.memoryLimit, memoryNeeds(input.sizeBytes, blockCount, input.shape));
}

interface MemoryNeeds {
  sizeBytes: number;
  blockCount: number;
  layerBytes: number;
  kvLayerBytes: number;
  graphBytes: number;
  /** Weights, whole KV cache and graph: what holding every layer takes. */
  totalBytes: number;
  kvText: string;
  numCtx?: number;
}

export function memoryNeeds(sizeBytes: number, blockCount: number, shape: ModelShape | undefined): MemoryNeeds {
  const layerBytes = sizeBytes / (blockCount + 1);
  const base = { sizeBytes, blockCount, layerBytes };
  const heads = shape?.headCount;
  const embedding = shape?.embeddingLength;
  if (!shape || heads === undefined || embedding === undefined) {
    return { ...base, kvLayerBytes: 0, graphBytes: 0, totalBytes: sizeBytes, kvText: 'KV cache and compute graph unknown (not counted)' };
  }
  const headDim = embedding / heads;
  const kvHeads = shape.headCountKv ?? heads;
  const kvLayerBytes = shape.numCtx * kvHeads * ((shape.keyLength ?? headDim) + (shape.valueLength ?? headDim)) * 2;
  const graphBytes = 4 * 512 * (1 + 4 * embedding + shape.numCtx * (1 + heads));
  const kvText = `KV cache f16 at num_ctx ${shape.numCtx}: ${kvHeads} KV heads × ${Math.round(headDim)} dims × 2 (K and V) × 2 bytes per token`;
  return { ...base, kvLayerBytes, graphBytes, totalBytes: sizeBytes + kvLayerBytes * blockCount + graphBytes, kvText, numCtx: shape.numCtx };
}

function planFromLimit(model: string, limit: MemoryLimit, needs: MemoryNeeds): GpuPlan {
  const totalLayers = needs.blockCount + 1;
  // A percentage is a share of everything the model needs on the GPU (weights, KV cache, graph).
  const limitBytes = limit.kind === 'bytes' ? limit.bytes : Math.floor((needs.totalBytes * limit.percent) / 100);
  const limitText = limit.kind === 'bytes' ? `${limit.text} (${formatBytes(limitBytes)})` : `${limit.text} of ${formatBytes(needs.totalBytes)} = ${formatBytes(limitBytes)}`;
  const perLayer = needs.layerBytes + needs.kvLayerBytes;
  const layers = limitBytes >= needs.totalBytes ? totalLayers : Math.min(needs.blockCount, Math.floor((limitBytes - needs.graphBytes) / perLayer));
  const sum =
    `~${formatBytes(Math.round(needs.layerBytes))} weights per layer (${formatBytes(needs.sizeBytes)} / (${needs.blockCount} blocks + output layer))` +
    (needs.kvLayerBytes > 0 ? ` + ~${formatBytes(Math.round(needs.kvLayerBytes))} KV cache per layer (${needs.kvText})` : ` (${needs.kvText})`) +
    (needs.graphBytes > 0 ? `, plus ${formatBytes(needs.graphBytes)} for the compute graph once` : '');
  if (layers < 1) {
    throw new InvalidRequestError(
      `memory_limit ${limitText} is smaller than one layer of '${model}' (${sum}). Raise the limit, or set num_gpu to 0 to run on the CPU.`,
      'memory_limit',
    );
  }
  const used = layers === totalLayers ? needs.totalBytes : needs.graphBytes + layers * perLayer;
  const reason =
    layers === totalLayers
      ? `memory_limit ${limitText} holds the whole model: all ${totalLayers} layers on the GPU, ${formatBytes(used)} in all (${sum}).`
      : `memory_limit ${limitText} holds ${layers} of ${totalLayers} layers, ${formatBytes(used)} in all (${sum}); the rest run on the CPU.`;
  const plan: GpuPlan = { numGpu: layers, reason, totalLayers, layerBytes: Math.round(needs.layerBytes), limitBytes };
  if (needs.kvLayerBytes > 0) Object.assign(plan, { kvLayerBytes: Math.round(needs.kvLayerBytes), graphBytes: needs.graphBytes, numCtx: needs.numCtx });
  return plan;
}

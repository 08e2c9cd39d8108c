import { InvalidRequestError } from '../core/errors.js';
import { formatBytes, type MemoryLimit } from './memory-limit.js';

// How many layers Ollama should offload to the GPU (`num_gpu`). Ollama counts the repeating blocks plus the
// output layer, so a model with block_count N has N + 1 offloadable layers. We estimate one layer as the
// model's size divided by N + 1: weights only, so leave headroom for the KV cache and compute buffers.

export interface GpuPlanInput {
  model: string;
  /** As given by the client; wins when set. */
  numGpu?: number;
  memoryLimit?: MemoryLimit;
  /** Model file size (from the installed list); needed only with memoryLimit. */
  sizeBytes?: number;
  /** `<arch>.block_count`; needed only with memoryLimit. */
  blockCount?: number;
}

export interface GpuPlan {
  /** Undefined: let Ollama decide. */
  numGpu?: number;
  reason: string;
  totalLayers?: number;
  layerBytes?: number;
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
  return planFromLimit(input.model, input.memoryLimit, input.sizeBytes, input.blockCount);
}

function planFromLimit(model: string, limit: MemoryLimit, sizeBytes: number | undefined, blockCount: number | undefined): GpuPlan {
  if (sizeBytes === undefined || sizeBytes <= 0 || blockCount === undefined) {
    throw new InvalidRequestError(
      `Cannot derive layers for '${model}': Ollama does not report its size and block count. Set num_gpu instead.`,
      'memory_limit',
    );
  }
  const totalLayers = blockCount + 1;
  const layerBytes = sizeBytes / totalLayers;
  const limitBytes = limit.kind === 'bytes' ? limit.bytes : Math.floor((sizeBytes * limit.percent) / 100);
  const limitText = limit.kind === 'bytes' ? `${limit.text} (${formatBytes(limitBytes)})` : `${limit.text} of ${formatBytes(sizeBytes)} = ${formatBytes(limitBytes)}`;
  const layers = Math.min(totalLayers, Math.floor(limitBytes / layerBytes));
  const perLayer = `~${formatBytes(Math.round(layerBytes))} per layer: ${formatBytes(sizeBytes)} / (${blockCount} blocks + output layer)`;
  if (layers < 1) {
    throw new InvalidRequestError(
      `memory_limit ${limitText} is smaller than one layer of '${model}' (${perLayer}). ` +
        'Raise the limit, or set num_gpu to 0 to run on the CPU.',
      'memory_limit',
    );
  }
  const reason =
    layers === totalLayers
      ? `memory_limit ${limitText} holds the whole model: all ${totalLayers} layers on the GPU (${perLayer}).`
      : `memory_limit ${limitText} holds ${layers} of ${totalLayers} layers (${perLayer}); the rest run on the CPU.`;
  return { numGpu: layers, reason, totalLayers, layerBytes: Math.round(layerBytes), limitBytes };
}

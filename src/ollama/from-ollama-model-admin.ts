import type { LoadedModel, ModelDescription, ModelProgress } from '../core/model-runtime.js';
import { ModelNotFoundError, UpstreamError } from '../core/errors.js';
import { fromOllamaShow } from './from-ollama-tags.js';
import { fromOllamaShowTraits, readModelInfoNumber } from './model-traits.js';
import type { OllamaProgressLine, OllamaPs } from './ollama-admin-wire.js';
import type { OllamaShow } from './ollama-wire.js';

/** GET /api/ps → models in memory. `models` may be null on some versions when nothing is loaded. */
export function fromOllamaPs(body: OllamaPs): LoadedModel[] {
  return (body.models ?? []).map((entry) => {
    const loaded: LoadedModel = { name: entry.model || entry.name, sizeBytes: entry.size ?? 0, vramBytes: entry.size_vram ?? 0 };
    if (entry.context_length !== undefined) loaded.contextLength = entry.context_length;
    const expiresAt = entry.expires_at === undefined ? undefined : new Date(entry.expires_at);
    if (expiresAt && !Number.isNaN(expiresAt.getTime())) loaded.expiresAt = expiresAt;
    return loaded;
  });
}

/** POST /api/show → the list entry plus what GPU planning needs (architecture, block count). */
export function fromOllamaShowDescription(name: string, body: OllamaShow): ModelDescription {
  const description: ModelDescription = fromOllamaShow(name, body);
  const architecture = body.model_info?.['general.architecture'];
  if (typeof architecture !== 'string') return description;
  description.architecture = architecture;
  const blockCount = body.model_info?.[`${architecture}.block_count`];
  if (typeof blockCount === 'number' && Number.isInteger(blockCount) && blockCount > 0) description.blockCount = blockCount;
  const shape: [keyof ModelDescription, string][] = [
    ['embeddingLength', 'embedding_length'],
    ['headCount', 'attention.head_count'],
    ['headCountKv', 'attention.head_count_kv'],
    ['keyLength', 'attention.key_length'],
    ['valueLength', 'attention.value_length'],
  ];
  for (const [field, key] of shape) {
    const value = readModelInfoNumber(body.model_info, key);
    if (value !== undefined) Object.assign(description, { [field]: value });
  }
  const numCtx = fromOllamaShowTraits(body).numCtx;
  if (numCtx !== undefined) description.numCtx = numCtx;
  return description;
}

/**
 * One progress line of /api/pull or /api/create. Failures arrive as `{"error"}` lines under HTTP 200;
 * "file does not exist" is how Ollama says the registry (or, for create, the local store) has no such model.
 */
export function fromOllamaProgressLine(line: OllamaProgressLine, model: string): ModelProgress {
  if (line.error !== undefined) {
    if (/file does not exist|not found/i.test(line.error)) throw new ModelNotFoundError(model);
    throw new UpstreamError(`Ollama: ${line.error}`);
  }
  const progress: ModelProgress = { status: line.status ?? '' };
  if (line.digest !== undefined) progress.digest = line.digest;
  if (line.total !== undefined) progress.total = line.total;
  if (line.completed !== undefined) progress.completed = line.completed;
  return progress;
}

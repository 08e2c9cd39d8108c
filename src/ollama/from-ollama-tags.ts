import type { ModelInfo } from '../core/chat-result.js';
import type { OllamaShow, OllamaTags } from './ollama-wire.js';

type OllamaTagEntry = NonNullable<OllamaTags['models']>[number];

/** GET /api/tags → installed models. `models` may be null on some versions when nothing is installed. */
export function fromOllamaTags(body: OllamaTags): ModelInfo[] {
  return (body.models ?? []).map(fromOllamaTagEntry);
}

function fromOllamaTagEntry(entry: OllamaTagEntry): ModelInfo {
  const id = entry.model || entry.name;
  const info: ModelInfo = { id, createdAt: parseDate(entry.modified_at), ownedBy: ownerOf(id) };
  if (entry.size !== undefined) info.sizeBytes = entry.size;
  if (entry.details?.family) info.family = entry.details.family;
  if (entry.details?.parameter_size) info.parameterSize = entry.details.parameter_size;
  if (entry.details?.quantization_level) info.quantization = entry.details.quantization_level;
  if (entry.capabilities) info.capabilities = [...entry.capabilities];
  return info;
}

/** POST /api/show → what we learn about one model (context length from the GGUF metadata). */
export function fromOllamaShow(name: string, body: OllamaShow): ModelInfo {
  const info: ModelInfo = { id: name, createdAt: parseDate(body.modified_at), ownedBy: ownerOf(name) };
  if (body.details?.family) info.family = body.details.family;
  if (body.details?.parameter_size) info.parameterSize = body.details.parameter_size;
  if (body.details?.quantization_level) info.quantization = body.details.quantization_level;
  if (body.capabilities) info.capabilities = [...body.capabilities];
  const contextLength = readContextLength(body.model_info);
  if (contextLength !== undefined) info.contextLength = contextLength;
  return info;
}

/**
 * Names are `[host/][namespace/]model[:tag]`; like Ollama's /v1/models, the owner is the namespace,
 * and official models (no namespace) belong to "library".
 */
export function ownerOf(name: string): string {
  const segments = name.split('/');
  return segments.length >= 2 ? segments[segments.length - 2]! : 'library';
}

function readContextLength(modelInfo: Record<string, unknown> | undefined): number | undefined {
  const architecture = modelInfo?.['general.architecture'];
  if (typeof architecture !== 'string') return undefined;
  const value = modelInfo?.[`${architecture}.context_length`];
  return typeof value === 'number' && value > 0 ? value : undefined;
}

/** Pure: an unparsable timestamp becomes the epoch rather than "now". */
function parseDate(value: string | undefined): Date {
  const date = value === undefined ? new Date(0) : new Date(value);
  return Number.isNaN(date.getTime()) ? new Date(0) : date;
}

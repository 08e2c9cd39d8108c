import type { OllamaShow, OllamaThinkLevel } from './ollama-wire.js';

// What /api/show tells about one model that changes how we call it: can it think, at which levels, how long a
// context it was trained for and which num_ctx its Modelfile sets. Pure; ollama-backend.ts caches it per model.

export interface ThinkSupport {
  /** `thinking` in capabilities: Ollama answers 400 to `think: true` (or a level) on a model without it. */
  canThink: boolean;
  /** Levels the model's template or renderer reads; empty = on/off only. */
  levels: readonly OllamaThinkLevel[];
}

export interface ModelTraits {
  capabilities: readonly string[];
  think: ThinkSupport;
  /** `<arch>.context_length`: the trained maximum. */
  contextLength?: number;
  /** `PARAMETER num_ctx` of the Modelfile, the context Ollama uses when the request sets none. */
  numCtx?: number;
}

/**
 * Renderers (ollama model/renderers) whose prompt changes with the level; "max" is understood by all of them
 * (qwen3.5/3.8 treat it as high, glimmer passes it on). Harmony (gpt-oss) templates read `.ThinkLevel` and
 * know low/medium/high only (Ollama maps "max" to "high" there itself, but versions before that refuse it).
 */
const LEVEL_RENDERERS = new Set(['qwen3.5', 'qwen3.8', 'glimmer', 'nemotron-3.5-nano']);
const THREE_LEVELS: readonly OllamaThinkLevel[] = ['low', 'medium', 'high'];
const FOUR_LEVELS: readonly OllamaThinkLevel[] = ['low', 'medium', 'high', 'max'];

export function fromOllamaShowTraits(body: OllamaShow): ModelTraits {
  const capabilities = body.capabilities ?? [];
  const canThink = capabilities.includes('thinking');
  const traits: ModelTraits = { capabilities, think: { canThink, levels: canThink ? thinkLevels(body) : [] } };
  const contextLength = readModelInfoNumber(body.model_info, 'context_length');
  if (contextLength !== undefined) traits.contextLength = contextLength;
  const numCtx = readParameter(body.parameters, 'num_ctx');
  if (numCtx !== undefined) traits.numCtx = numCtx;
  return traits;
}

function thinkLevels(body: OllamaShow): readonly OllamaThinkLevel[] {
  if (body.renderer !== undefined && LEVEL_RENDERERS.has(body.renderer)) return FOUR_LEVELS;
  if (body.parser === 'harmony' || body.template?.includes('.ThinkLevel')) return THREE_LEVELS;
  return [];
}

/** `<arch>.<key>` from model_info, when it is a positive number. */
export function readModelInfoNumber(modelInfo: Record<string, unknown> | undefined, key: string): number | undefined {
  const architecture = modelInfo?.['general.architecture'];
  if (typeof architecture !== 'string') return undefined;
  const value = modelInfo?.[`${architecture}.${key}`];
  return typeof value === 'number' && value > 0 ? value : undefined;
}

/** One numeric PARAMETER from /api/show's `parameters` text ("num_ctx                        8192"). */
function readParameter(parameters: string | undefined, name: string): number | undefined {
  if (parameters === undefined) return undefined;
  for (const line of parameters.split('\n')) {
    const [key, value] = line.trim().split(/\s+/, 2);
    if (key === name && value !== undefined) {
      const number = Number(value);
      if (Number.isFinite(number) && number > 0) return number;
    }
  }
  return undefined;
}

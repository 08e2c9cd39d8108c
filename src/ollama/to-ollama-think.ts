import type { ReasoningEffort, ReasoningSettings } from '../core/chat-request.js';
import type { ThinkSupport } from './model-traits.js';
import type { OllamaThink, OllamaThinkLevel } from './ollama-wire.js';

// The canonical reasoning settings → Ollama's `think`, clamped to what the model supports so that Ollama never
// answers 400 ("does not support thinking", "invalid think value") for a setting the client was free to send.

/** Each effort, then the levels to fall back to in order when the model lacks it. */
const LEVEL_PREFERENCE: Record<ReasoningEffort, readonly OllamaThinkLevel[]> = {
  minimal: ['low', 'medium', 'high'],
  low: ['low', 'medium', 'high'],
  medium: ['medium', 'high', 'low'],
  high: ['high', 'max', 'medium'],
  xhigh: ['max', 'high', 'medium'],
  max: ['max', 'high', 'medium'],
};

/**
 * Unset stays unset (Ollama then thinks by default on thinking-capable models). Off is `false`, which every
 * model accepts. On: nothing for a model that cannot think, the nearest level it reads, or `true`.
 * `support` is undefined when /api/show could not be read: then a level goes only to `levelsFallback` models.
 */
export function toOllamaThink(
  reasoning: ReasoningSettings | undefined,
  support: ThinkSupport | undefined,
  levelsFallback: readonly OllamaThinkLevel[] = [],
): OllamaThink | undefined {
  if (!reasoning) return undefined;
  if (!reasoning.enabled) return false;
  if (support && !support.canThink) return undefined;
  const levels = support ? support.levels : levelsFallback;
  if (reasoning.effort === undefined || levels.length === 0) return true;
  return LEVEL_PREFERENCE[reasoning.effort].find((level) => levels.includes(level)) ?? true;
}

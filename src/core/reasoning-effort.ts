import type { ReasoningEffort, ReasoningSettings } from './chat-request.js';

// Every protocol's effort word onto the canonical settings, for the OpenAI, Responses and Anthropic parsers alike.
// The backend decides what the model gets (ollama/to-ollama-think.ts clamps it to the model's levels).

/** The words clients send: OpenAI's reasoning_effort scale, which includes DeepSeek's high/max. */
export type EffortWord = 'none' | ReasoningEffort;

/** `none` turns thinking off; any other word turns it on at that effort. */
export function reasoningFromEffort(effort: EffortWord): ReasoningSettings {
  return effort === 'none' ? { enabled: false } : { enabled: true, effort };
}

/**
 * DeepSeek's switch (`thinking: {type}`) combined with an optional effort: disabled wins over any effort;
 * enabled without an effort leaves the level to the model.
 */
export function reasoningFromSwitch(enabled: boolean, effort?: EffortWord): ReasoningSettings {
  if (!enabled) return { enabled: false };
  return effort === undefined || effort === 'none' ? { enabled: true } : { enabled: true, effort };
}

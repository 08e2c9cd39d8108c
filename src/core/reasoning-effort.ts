import type { ReasoningEffort, ReasoningSettings } from './chat-request.js';

// Every protocol's effort word onto the canonical settings, for the OpenAI, Responses and Anthropic parsers alike.
// The backend decides what the model gets (ollama/to-ollama-think.ts clamps it to the model's levels).

/** The words clients send: OpenAI's reasoning_effort scale, which includes DeepSeek's high/max. */
export type EffortWord = 'none' | ReasoningEffort;

const EFFORTS: ReadonlySet<string> = new Set<EffortWord>(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']);

export function isEffortWord(value: unknown): value is EffortWord {
  return typeof value === 'string' && EFFORTS.has(value);
}

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

/**
 * A thinking budget in tokens (Anthropic's `thinking.budget_tokens`) as an effort word, for backends that take
 * levels rather than budgets: up to 2k low, 8k medium, 32k high, beyond that max.
 */
export function effortFromBudget(budgetTokens: number): ReasoningEffort {
  if (budgetTokens <= 2048) return 'low';
  if (budgetTokens <= 8192) return 'medium';
  if (budgetTokens <= 32768) return 'high';
  return 'max';
}

// Model-specific quirks that depend on the model name. Kept here so the rest of ollama/ stays generic.

/** `r1` as its own name segment: deepseek-r1:8b, r1-1776, jdoe/r1-custom; not "mixtral-8x7b-r10". */
const INLINE_THINKING = /(^|[/:._-])r1([/:._-]|$)/i;
/** gpt-oss (harmony template) is the family whose template reads the think level. */
const THINK_LEVELS = /(^|\/)gpt-oss([:._-]|$)/i;

/**
 * DeepSeek-R1 and its derivatives reason inline (`<think>…</think>` in content) on Ollama versions or model
 * pulls without the thinking capability, sometimes without the opening tag.
 */
export function isInlineThinkingModel(model: string): boolean {
  return INLINE_THINKING.test(model);
}

/**
 * Whether `think` should carry the effort level rather than a boolean. Ollama accepts levels since 0.11
 * for every thinking model, but only templates like gpt-oss use them, and Ollama 0.9–0.10 reject a string;
 * DeepSeek gains nothing from a level, so it gets the boolean that every version understands.
 */
export function usesThinkLevels(model: string): boolean {
  return THINK_LEVELS.test(model);
}

import type { Usage } from '../core/chat-result.js';
import type { OpenAIUsage } from './openai-wire.js';

/** Detail objects appear only when the figure is known; reasoning tokens are already inside completion_tokens. */
export function toOpenAIUsage(usage: Usage): OpenAIUsage {
  const wire: OpenAIUsage = {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
  if (usage.cachedTokens !== undefined) {
    wire.prompt_tokens_details = { cached_tokens: usage.cachedTokens };
    // DeepSeek's dialect of the same fact; clients of api.deepseek.com read these.
    wire.prompt_cache_hit_tokens = usage.cachedTokens;
    wire.prompt_cache_miss_tokens = Math.max(0, usage.promptTokens - usage.cachedTokens);
  }
  if (usage.reasoningTokens !== undefined) wire.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  return wire;
}

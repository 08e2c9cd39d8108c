import type { CallContext } from '../core/chat-backend.js';
import type { ChatRequest, TextRequest } from '../core/chat-request.js';
import type { Usage } from '../core/chat-result.js';
import { ContextLengthExceededError } from '../core/errors.js';
import { calibrate, contextLimit, estimatePromptTokens, messageCharacters, toolCharacters } from './context-fit.js';
import type { ModelTraits } from './model-traits.js';
import type { ModelTraitsCache } from './model-traits-cache.js';
import type { OllamaCallSettings } from './to-ollama-request.js';

// Per call, what the request alone cannot say: the model's traits (for `think`) and whether the prompt fits its
// context. Traits come from the cache, so only the first call for a model waits for /api/show.

export type ContextOverflowPolicy = 'error' | 'truncate';

export interface CallPlannerOptions {
  traits: ModelTraitsCache;
  overflow: ContextOverflowPolicy;
  /** The server's default num_ctx (OLLAMA_CONTEXT_LENGTH), when the operator told us. */
  serverNumCtx?: number | undefined;
}

export interface CallPlan {
  settings: OllamaCallSettings;
  /** Feeds Ollama's prompt_eval_count back into the estimator. */
  observe(usage: Usage): void;
}

/** Estimates are rough until calibrated: refuse only when clearly over, and let Ollama judge the rest. */
const UNCALIBRATED_MARGIN = 1.25;
const CALIBRATED_MARGIN = 1.05;

export function createCallPlanner(options: CallPlannerOptions) {
  const ratios = new Map<string, number>();
  const truncate = options.overflow === 'error' ? false : undefined;

  const planChat = (request: ChatRequest, ctx: CallContext, traits: ModelTraits | undefined): CallPlan => {
    const limit = contextLimit(request.runtime?.options?.['num_ctx'], traits?.numCtx, options.serverNumCtx, traits?.contextLength);
    if (!limit) return { settings: { traits, truncate }, observe: () => undefined };
    const { model, messages } = request;
    const ratio = ratios.get(model);
    let chars = messageCharacters(messages);
    // Tool schemas are serialised only when the messages alone come near the limit (no allocation otherwise).
    if (request.tools && estimatePromptTokens(chars, messages.length, ratio) * 2 > limit.tokens) chars += toolCharacters(request.tools);
    const raw = estimatePromptTokens(chars, messages.length);
    const estimate = Math.ceil(raw * (ratio ?? 1));
    if (estimate > limit.tokens * (ratio === undefined ? UNCALIBRATED_MARGIN : CALIBRATED_MARGIN)) {
      if (options.overflow === 'error') {
        throw new ContextLengthExceededError(
          `This model's maximum context length is ${limit.tokens} tokens (${limit.source}), but the messages come to about ` +
            `${estimate} tokens. Shorten the messages, raise num_ctx, or use a model with a longer context.`,
        );
      }
      ctx.outcome.contextTruncated = true;
      ctx.logger.warn('prompt exceeds the context; Ollama truncates the oldest messages', { model, estimatedTokens: estimate, contextTokens: limit.tokens });
    }
    // Calibrated on tool-less prompts only: their estimate covers the whole prompt.
    if (request.tools && request.tools.length > 0) return { settings: { traits, truncate }, observe: () => undefined };
    return {
      settings: { traits, truncate },
      observe: (usage) => {
        if (usage.promptTokens > 0 && usage.promptTokens < limit.tokens) ratios.set(model, calibrate(ratio, usage.promptTokens, raw));
      },
    };
  };

  return {
    /** Sync when the model's traits are cached (the common case), otherwise after one /api/show. */
    chat(request: ChatRequest, ctx: CallContext): CallPlan | Promise<CallPlan> {
      const traits = options.traits.get(request.model);
      return traits instanceof Promise ? traits.then((loaded) => planChat(request, ctx, loaded)) : planChat(request, ctx, traits);
    },
    text(_request: TextRequest): OllamaCallSettings {
      return truncate === undefined ? {} : { truncate };
    },
  };
}

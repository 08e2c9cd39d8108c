import type { ChatMessage, ChatRequest } from '../../core/chat-request.js';
import type { ChatResult } from '../../core/chat-result.js';

// Sizes history in tokens without a tokenizer: characters divided by a per-model chars-per-token ratio,
// plus a fixed overhead per message for the chat template's markup. The ratio starts at a typical value
// for English BPE vocabularies and is corrected from the prompt_eval_count Ollama reports for real prompts.

export interface TokenEstimatorOptions {
  /** Starting ratio for a model not seen yet. */
  initialCharsPerToken?: number;
  /** Template tokens around each message (role markers, separators). */
  perMessageTokens?: number;
  /** What one attached image is counted as. */
  imageTokens?: number;
  /** Weight of a new observation in the moving average. */
  learningRate?: number;
  /** Models remembered; the oldest is forgotten beyond this. */
  maxModels?: number;
}

export interface TokenEstimator {
  /** Estimated prompt tokens of these messages for this model. */
  count(model: string, messages: readonly ChatMessage[]): number;
  /** Estimated prompt tokens of a whole request: its messages, and its tools (their JSON is in the prompt too). */
  countPrompt(request: Pick<ChatRequest, 'model' | 'messages' | 'tools'>): number;
  /** Calibrates the model's ratio from a prompt Ollama evaluated. `extraChars` covers text sent besides messages (tools). */
  observe(model: string, messages: readonly ChatMessage[], promptTokens: number, extraChars?: number): void;
  /**
   * `observe` for a whole request (messages and tools, as countPrompt counts them) and the answer it got. An answer
   * cut at a stop sequence teaches nothing: its prompt count is this estimator's own guess (Ollama's never came).
   */
  observePrompt(request: Pick<ChatRequest, 'model' | 'messages' | 'tools'>, answer: Pick<ChatResult, 'usage' | 'stopSequence'>): void;
  charsPerToken(model: string): number;
}

const MIN_RATIO = 1;
const MAX_RATIO = 8;
/** Observations this far off the current ratio are noise: a truncated prompt (num_ctx) or an old Ollama's cache hit. */
const OUTLIER_FACTOR = 3;
/** Too few tokens to say anything about the ratio. */
const MIN_OBSERVED_TOKENS = 16;

export function messageChars(message: ChatMessage): number {
  let chars = message.content.length;
  for (const call of message.toolCalls ?? []) chars += call.name.length + call.argumentsJson.length;
  return chars;
}

/** Tools reach the model as JSON in its template: their text counts toward the prompt. */
function toolChars(tools: ChatRequest['tools']): number {
  return tools === undefined ? 0 : JSON.stringify(tools).length;
}

export function createTokenEstimator(options: TokenEstimatorOptions = {}): TokenEstimator {
  const initial = options.initialCharsPerToken ?? 4;
  const perMessage = options.perMessageTokens ?? 4;
  const imageTokens = options.imageTokens ?? 768;
  const rate = options.learningRate ?? 0.3;
  const maxModels = options.maxModels ?? 256;
  const ratios = new Map<string, number>();
  const ratioOf = (model: string): number => ratios.get(model) ?? initial;

  const split = (messages: readonly ChatMessage[]) => {
    let chars = 0;
    let fixed = 0;
    for (const message of messages) {
      chars += messageChars(message);
      fixed += perMessage + (message.images?.length ?? 0) * imageTokens;
    }
    return { chars, fixed };
  };

  const count = (model: string, messages: readonly ChatMessage[]): number => {
    const { chars, fixed } = split(messages);
    return Math.ceil(chars / ratioOf(model)) + fixed;
  };

  const observe = (model: string, messages: readonly ChatMessage[], promptTokens: number, extraChars = 0): void => {
    const { chars, fixed } = split(messages);
    const textTokens = promptTokens - fixed;
    if (textTokens < MIN_OBSERVED_TOKENS || chars + extraChars === 0) return;
    const current = ratioOf(model);
    const observed = (chars + extraChars) / textTokens;
    if (observed > current * OUTLIER_FACTOR || observed < current / OUTLIER_FACTOR) return;
    const next = Math.min(MAX_RATIO, Math.max(MIN_RATIO, current + rate * (observed - current)));
    ratios.delete(model);
    ratios.set(model, next);
    if (ratios.size > maxModels) ratios.delete(ratios.keys().next().value!);
  };

  return {
    count,
    countPrompt({ model, messages, tools }) {
      return count(model, messages) + Math.ceil(toolChars(tools) / ratioOf(model));
    },
    observe,
    observePrompt({ model, messages, tools }, { usage, stopSequence }) {
      if (stopSequence === undefined) observe(model, messages, usage.promptTokens, toolChars(tools));
    },
    charsPerToken: ratioOf,
  };
}

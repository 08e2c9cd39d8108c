import type { ChatMessage, ToolDefinition } from '../core/chat-request.js';

// Does a prompt fit the context Ollama will give it? Our estimate is characters / 4, scaled per model by what
// Ollama's own prompt_eval_count said for earlier prompts (calibrate()). Pure: the backend keeps the ratios.

/** Characters per token before calibration: close for English and code with BPE vocabularies. */
const CHARS_PER_TOKEN = 4;
/** Template markup per message (role tags, separators). */
const TOKENS_PER_MESSAGE = 4;

export interface ContextLimit {
  tokens: number;
  /** Where the number comes from, for the error message. */
  source: string;
}

/** The effective context: the request's num_ctx, else the Modelfile's, else the server default; never above the trained length. */
export function contextLimit(
  requestNumCtx: unknown,
  modelfileNumCtx: number | undefined,
  serverNumCtx: number | undefined,
  trainedLength: number | undefined,
): ContextLimit | undefined {
  const configured: ContextLimit | undefined =
    typeof requestNumCtx === 'number' && requestNumCtx > 0
      ? { tokens: requestNumCtx, source: 'num_ctx of the request' }
      : modelfileNumCtx !== undefined
        ? { tokens: modelfileNumCtx, source: "num_ctx of the model's Modelfile" }
        : serverNumCtx !== undefined
          ? { tokens: serverNumCtx, source: "the Ollama server's context length (OLLAMA_CONTEXT_LENGTH)" }
          : undefined;
  if (trainedLength === undefined) return configured;
  if (configured === undefined || configured.tokens > trainedLength) return { tokens: trainedLength, source: "the model's trained context length" };
  return configured;
}

/** Characters of the message texts (reasoning is mostly not sent back, see to-ollama-request.ts). */
export function messageCharacters(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const message of messages) chars += message.content.length;
  return chars;
}

/** Characters of the tool schemas as the template renders them. */
export function toolCharacters(tools: readonly ToolDefinition[] | undefined): number {
  return tools && tools.length > 0 ? JSON.stringify(tools).length : 0;
}

/** Estimated prompt tokens; `ratio` is observed/estimated from earlier calls of the same model (1 when unknown). */
export function estimatePromptTokens(chars: number, messageCount: number, ratio = 1): number {
  return Math.ceil((chars / CHARS_PER_TOKEN + TOKENS_PER_MESSAGE * messageCount) * ratio);
}

/** New ratio after one observation, smoothed so one odd prompt does not swing it; kept within 0.25–4. */
export function calibrate(previous: number | undefined, observedTokens: number, rawEstimate: number): number {
  if (observedTokens <= 0 || rawEstimate <= 0) return previous ?? 1;
  const sample = Math.min(4, Math.max(0.25, observedTokens / rawEstimate));
  return previous === undefined ? sample : previous * 0.7 + sample * 0.3;
}

import type { ChatMessage } from './chat-request.js';

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** Part of completionTokens spent on reasoning, where known. */
  reasoningTokens?: number;
  /**
   * Part of promptTokens that was not computed again: Ollama's KV prefix cache (`prompt_eval_cached_count`), or
   * all of them when our response cache answered. Absent when unknown (never invented).
   */
  cachedTokens?: number;
}

/** One generated token's log probability (natural log), with the most likely alternatives when asked for. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  /** UTF-8 bytes of the token, when the backend reports them. */
  bytes?: number[];
  top?: { token: string; logprob: number; bytes?: number[] }[];
}

export interface ChatResult {
  model: string;
  createdAt: Date;
  message: ChatMessage;
  finishReason: FinishReason;
  usage: Usage;
  /** Log probabilities of the answer's tokens, when the request asked and the backend reported them. */
  logprobs?: TokenLogprob[];
  /**
   * The stop sequence (one of `sampling.stop`) that ended the answer, when the request asked to be told
   * (`reportStopSequence`); finishReason is then 'stop'. The proxy matched it (pipeline/stop-sequences.ts) and
   * cut the generation short, so Ollama never sent its counts: the usage is then partly estimated.
   */
  stopSequence?: string;
}

export interface EmbeddingResult {
  model: string;
  embeddings: number[][];
  promptTokens: number;
}

export interface ModelInfo {
  id: string;
  createdAt: Date;
  ownedBy: string;
  sizeBytes?: number;
  family?: string;
  parameterSize?: string;
  quantization?: string;
  contextLength?: number;
  capabilities?: string[];
}

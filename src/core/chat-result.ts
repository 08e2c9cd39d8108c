import type { ChatMessage } from './chat-request.js';

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** Part of completionTokens spent on reasoning, where known. */
  reasoningTokens?: number;
  /** Part of promptTokens served from the response cache. */
  cachedTokens?: number;
}

export interface ChatResult {
  model: string;
  createdAt: Date;
  message: ChatMessage;
  finishReason: FinishReason;
  usage: Usage;
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

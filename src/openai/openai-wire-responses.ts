// Response bodies and stream chunks as OpenAI clients expect them (checked against
// test/fixtures/openai-schemas.json). `reasoning_content` is the DeepSeek extension.

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
  /** DeepSeek's split of prompt_tokens (hit + miss = prompt_tokens); only when the cached count is known. */
  prompt_cache_hit_tokens?: number;
  prompt_cache_miss_tokens?: number;
}

export interface OpenAITopLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
}

export interface OpenAITokenLogprob extends OpenAITopLogprob {
  top_logprobs: OpenAITopLogprob[];
}

/** choices[].logprobs of chat completions and chunks. */
export interface OpenAIChoiceLogprobs {
  content: OpenAITokenLogprob[] | null;
  refusal: OpenAITokenLogprob[] | null;
}

/** choices[].logprobs of legacy text completions. */
export interface OpenAITextLogprobs {
  tokens: string[];
  token_logprobs: number[];
  top_logprobs: Record<string, number>[] | null;
  text_offset: number[];
}

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAIChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  refusal: null;
  tool_calls?: OpenAIToolCall[];
  reasoning_content?: string;
}

export interface OpenAIChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: Array<{
    index: number;
    message: OpenAIChatCompletionMessage;
    logprobs: OpenAIChoiceLogprobs | null;
    finish_reason: OpenAIFinishReason;
  }>;
  usage: OpenAIUsage;
}

export interface OpenAIToolCallDelta {
  index: number;
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAIChatDelta {
  role?: 'assistant';
  content?: string;
  reasoning_content?: string;
  tool_calls?: OpenAIToolCallDelta[];
}

export interface OpenAIChatChunkChoice {
  index: number;
  delta: OpenAIChatDelta;
  logprobs: OpenAIChoiceLogprobs | null;
  finish_reason: OpenAIFinishReason | null;
}

export interface OpenAIChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: OpenAIChatChunkChoice[];
  /** Present only when the client asked for stream_options.include_usage: null on all but the last chunk. */
  usage?: OpenAIUsage | null;
}

export type OpenAITextFinishReason = 'stop' | 'length' | 'content_filter';

export interface OpenAITextChoice {
  text: string;
  index: number;
  logprobs: OpenAITextLogprobs | null;
  finish_reason: OpenAITextFinishReason | null;
}

/** Streamed text completions have the same shape as the full object (no `delta`). */
export interface OpenAITextCompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: OpenAITextChoice[];
  usage?: OpenAIUsage | null;
}

export interface OpenAIEmbedding {
  object: 'embedding';
  index: number;
  /** number[] for encoding_format float; base64 of little-endian float32 bytes for base64. */
  embedding: number[] | string;
}

export interface OpenAIEmbeddingList {
  object: 'list';
  data: OpenAIEmbedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export interface OpenAIModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface OpenAIModelList {
  object: 'list';
  data: OpenAIModel[];
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Values the HTTP layer fixes once per response so every chunk agrees. */
export interface OpenAIResponseMeta {
  id: string;
  /** Unix seconds. */
  created: number;
  /** The model name the client asked for (an alias stays an alias). */
  model: string;
  systemFingerprint: string;
}

export interface OpenAIStreamMeta extends OpenAIResponseMeta {
  includeUsage: boolean;
}

// The canonical request: what every layer between the OpenAI face and the Ollama backend speaks.
// Wire formats (OpenAI, Ollama) never leak in here; see openai/ and ollama/ for those.

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text, kept as a string so OpenAI's arguments survive a round trip byte for byte. */
  argumentsJson: string;
}

export interface ChatMessage {
  role: Role;
  /** Text parts joined; OpenAI's `developer` role arrives here as `system`. */
  content: string;
  /** Base64 images without a `data:` prefix (what Ollama wants). */
  images?: string[];
  /** Assistant only. */
  toolCalls?: ToolCall[];
  /** Tool only: the id of the call this message answers. */
  toolCallId?: string;
  /** Tool only: the name of the tool that produced it (resolved from the assistant's call). */
  toolName?: string;
  /** Model "thinking" (DeepSeek-R1 and other reasoning models). */
  reasoning?: string;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json' }
  | { type: 'json_schema'; schema: Record<string, unknown>; name?: string };

export interface SamplingOptions {
  temperature?: number;
  topP?: number;
  /** Sample only from the k most likely tokens (Anthropic `top_k`, Ollama `options.top_k`). */
  topK?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
}

/**
 * How hard the model should think, on the finest scale any client speaks (OpenAI's reasoning_effort, DeepSeek's
 * high/max, Anthropic's output_config.effort). `none` is `enabled: false`. The backend clamps it onto what the
 * model supports (see core/reasoning-effort.ts for the protocol side, ollama/to-ollama-think.ts for Ollama's).
 */
export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';

export interface ReasoningSettings {
  enabled: boolean;
  effort?: ReasoningEffort;
}

/** Token log probabilities of the answer (OpenAI `logprobs`/`top_logprobs`, Ollama's native fields). */
export interface LogprobsSettings {
  /** Alternatives per position, 0–20; 0 = only the chosen token. */
  topLogprobs: number;
}

/** Settings that only a local runtime understands (Ollama `options`, `keep_alive`). Passed through untouched. */
export interface RuntimeSettings {
  options?: Record<string, unknown>;
  keepAlive?: string | number;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  sampling: SamplingOptions;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /**
   * false: the answer carries at most one tool call (the first); OpenAI `parallel_tool_calls: false`, Anthropic
   * `tool_choice.disable_parallel_tool_use: true`. Unset: as many as the model makes.
   */
  parallelToolCalls?: false;
  responseFormat?: ResponseFormat;
  reasoning?: ReasoningSettings;
  runtime?: RuntimeSettings;
  /** Names of plugins the caller asked for (extra body field `plugins`). */
  plugins?: string[];
  logprobs?: LogprobsSettings;
  /**
   * The client must learn which of `sampling.stop` ended the answer (Anthropic's `stop_sequence`). Ollama
   * strips a matched sequence and reports it like a natural end, so the proxy matches the sequences itself
   * (pipeline/stop-sequences.ts) instead of sending them upstream; the result carries `stopSequence`.
   * Unset: `stop` goes to Ollama as is (OpenAI's finish_reason "stop" covers both ends).
   */
  reportStopSequence?: true;
}

/** Legacy text completion, including fill-in-the-middle (`suffix`). */
export interface TextRequest {
  model: string;
  prompt: string;
  suffix?: string;
  sampling: SamplingOptions;
  /** Send the prompt without the model's template (Ollama `raw`). */
  raw?: boolean;
  /** Return the prompt before the completion (OpenAI `echo`). */
  echo?: boolean;
  runtime?: RuntimeSettings;
  logprobs?: LogprobsSettings;
}

export interface EmbeddingRequest {
  model: string;
  inputs: string[];
  dimensions?: number;
  runtime?: RuntimeSettings;
}

import { z } from 'zod';

// Ollama's native wire format (docs/api.md, api/types.go). Objects are loose: Ollama keeps adding fields
// (logprobs, remote_model, …) and we must not break on them. Fields we read are typed strictly.
//
// Validation cost: the rare endpoints (tags, show, embed) go through zod. Chat and generate answers, streamed
// lines and whole non-streamed bodies alike, are checked by the hand-written readers in read-ollama-line.ts:
// they are the hot path, and a few typeof checks on the fields we read are enough there. Zod schemas of the
// same line shapes live with the tests (test/helpers/ollama-line-schemas.ts), which run every fixture line
// through both.

export const ollamaEmbedResponseSchema = z.looseObject({
  model: z.string().optional(),
  embeddings: z.array(z.array(z.number())),
  prompt_eval_count: z.number().optional(),
});

const ollamaModelDetailsSchema = z.looseObject({
  family: z.string().optional(),
  families: z.array(z.string()).nullish(),
  parameter_size: z.string().optional(),
  quantization_level: z.string().optional(),
});

export const ollamaTagsSchema = z.looseObject({
  models: z
    .array(
      z.looseObject({
        name: z.string(),
        model: z.string().optional(),
        modified_at: z.string().optional(),
        size: z.number().optional(),
        details: ollamaModelDetailsSchema.optional(),
        capabilities: z.array(z.string()).optional(),
      }),
    )
    .nullish(),
});

export const ollamaShowSchema = z.looseObject({
  details: ollamaModelDetailsSchema.optional(),
  /** Modelfile PARAMETER lines ("num_ctx    8192"), absent when none are set. */
  parameters: z.string().optional(),
  template: z.string().optional(),
  /** Built-in prompt renderer/output parser (e.g. "deepseek3.1", "qwen3.5", "harmony"); newer models only. */
  renderer: z.string().optional(),
  parser: z.string().optional(),
  model_info: z.record(z.string(), z.unknown()).optional(),
  capabilities: z.array(z.string()).optional(),
  modified_at: z.string().optional(),
});

export const ollamaVersionSchema = z.looseObject({ version: z.string() });

export type OllamaTags = z.infer<typeof ollamaTagsSchema>;
export type OllamaShow = z.infer<typeof ollamaShowSchema>;

/** What the line reducer reads from either endpoint. The zod-inferred line types are assignable to it. */
export interface OllamaLineBase {
  model: string;
  created_at?: string | undefined;
  done: boolean;
  done_reason?: string | undefined;
  prompt_eval_count?: number | undefined;
  prompt_eval_cached_count?: number | undefined;
  eval_count?: number | undefined;
  logprobs?: OllamaLogprob[] | undefined;
}

export interface OllamaTokenLogprob {
  token: string;
  logprob: number;
  bytes?: number[] | undefined;
}

export interface OllamaLogprob extends OllamaTokenLogprob {
  top_logprobs?: OllamaTokenLogprob[] | undefined;
}

export interface OllamaToolCallView {
  id?: string | undefined;
  function: { name: string; arguments?: Record<string, unknown> | undefined };
}

export interface OllamaChatLineView extends OllamaLineBase {
  message: { content?: string | undefined; thinking?: string | undefined; tool_calls?: OllamaToolCallView[] | undefined };
}

export interface OllamaGenerateLineView extends OllamaLineBase {
  response?: string | undefined;
  thinking?: string | undefined;
  tool_calls?: OllamaToolCallView[] | undefined;
}

// Request bodies: we build these, so plain types are enough.

export type OllamaOptions = Record<string, unknown>;
export type OllamaThinkLevel = 'low' | 'medium' | 'high' | 'max';
/** api.ThinkValue: a boolean, or a level string ("max" since 0.30-ish; Ollama maps it to "high" for harmony). */
export type OllamaThink = boolean | OllamaThinkLevel;

export interface OllamaRequestMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  images?: string[];
  thinking?: string;
  tool_calls?: { id?: string; function: { name: string; arguments: Record<string, unknown> } }[];
  tool_name?: string;
  tool_call_id?: string;
}

export interface OllamaTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

interface OllamaRuntimeFields {
  model: string;
  stream: boolean;
  options?: OllamaOptions;
  keep_alive?: string | number;
}

/** Fields /api/chat and /api/generate share beyond the runtime ones (api.ChatRequest / api.GenerateRequest). */
interface OllamaGenerationFields extends OllamaRuntimeFields {
  think?: OllamaThink;
  /** false: a prompt longer than num_ctx is an error instead of silently cut (Ollama default true). */
  truncate?: boolean;
  logprobs?: boolean;
  /** 0–20 alternatives per position; only with logprobs. */
  top_logprobs?: number;
}

export interface OllamaChatRequest extends OllamaGenerationFields {
  messages: OllamaRequestMessage[];
  tools?: OllamaTool[];
  format?: 'json' | Record<string, unknown>;
}

export interface OllamaGenerateRequest extends OllamaGenerationFields {
  prompt: string;
  suffix?: string;
  raw?: boolean;
}

export interface OllamaEmbedRequest {
  model: string;
  input: string[];
  dimensions?: number;
  options?: OllamaOptions;
  keep_alive?: string | number;
}

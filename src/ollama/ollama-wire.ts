import { z } from 'zod';

// Ollama's native wire format (docs/api.md, api/types.go). Objects are loose: Ollama keeps adding fields
// (logprobs, remote_model, …) and we must not break on them. Fields we read are typed strictly.
//
// Validation cost: the rare endpoints (tags, show, embed) go through zod. Chat and generate answers, streamed
// lines and whole non-streamed bodies alike, are checked by the hand-written readers in read-ollama-line.ts:
// they are the hot path, and a few typeof checks on the fields we read are enough there. The line schemas
// below describe the same shapes; the unit tests run every fixture line through both.

const counts = {
  total_duration: z.number().optional(),
  load_duration: z.number().optional(),
  prompt_eval_count: z.number().optional(),
  prompt_eval_duration: z.number().optional(),
  eval_count: z.number().optional(),
  eval_duration: z.number().optional(),
};

export const ollamaToolCallSchema = z.looseObject({
  id: z.string().optional(),
  function: z.looseObject({
    index: z.number().optional(),
    name: z.string(),
    arguments: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const ollamaResponseMessageSchema = z.looseObject({
  role: z.string(),
  content: z.string().default(''),
  thinking: z.string().optional(),
  tool_calls: z.array(ollamaToolCallSchema).optional(),
});

const lineBase = {
  model: z.string(),
  created_at: z.string(),
  done: z.boolean(),
  done_reason: z.string().optional(),
  ...counts,
};

export const ollamaChatLineSchema = z.looseObject({ ...lineBase, message: ollamaResponseMessageSchema });
export const ollamaGenerateLineSchema = z.looseObject({
  ...lineBase,
  response: z.string().default(''),
  thinking: z.string().optional(),
  tool_calls: z.array(ollamaToolCallSchema).optional(),
});

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
  model_info: z.record(z.string(), z.unknown()).optional(),
  capabilities: z.array(z.string()).optional(),
  modified_at: z.string().optional(),
});

export const ollamaVersionSchema = z.looseObject({ version: z.string() });
export const ollamaErrorBodySchema = z.looseObject({ error: z.string() });

export type OllamaToolCall = z.infer<typeof ollamaToolCallSchema>;
export type OllamaChatLine = z.infer<typeof ollamaChatLineSchema>;
export type OllamaGenerateLine = z.infer<typeof ollamaGenerateLineSchema>;
export type OllamaEmbedResponse = z.infer<typeof ollamaEmbedResponseSchema>;
export type OllamaTags = z.infer<typeof ollamaTagsSchema>;
export type OllamaShow = z.infer<typeof ollamaShowSchema>;

/** What the line reducer reads from either endpoint. The zod-inferred line types are assignable to it. */
export interface OllamaLineBase {
  model: string;
  created_at?: string | undefined;
  done: boolean;
  done_reason?: string | undefined;
  prompt_eval_count?: number | undefined;
  eval_count?: number | undefined;
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
export type OllamaThink = boolean | 'low' | 'medium' | 'high';

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

export interface OllamaChatRequest extends OllamaRuntimeFields {
  messages: OllamaRequestMessage[];
  tools?: OllamaTool[];
  format?: 'json' | Record<string, unknown>;
  think?: OllamaThink;
}

export interface OllamaGenerateRequest extends OllamaRuntimeFields {
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

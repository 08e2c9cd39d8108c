import { z } from 'zod';

// Ollama's /api/chat and /api/generate lines as zod schemas (docs/api.md, api/types.go). The proxy reads these
// lines with hand-written checks (src/ollama/read-ollama-line.ts, the hot path); tests run fixture and fake
// lines through both, so the readers, the fixtures and the fake Ollama agree with the documented shape.

const counts = {
  total_duration: z.number().optional(),
  load_duration: z.number().optional(),
  prompt_eval_count: z.number().optional(),
  /** Part of prompt_eval_count read from the KV cache (Ollama 0.33.3+, ollama/ollama#17943); absent before. */
  prompt_eval_cached_count: z.number().optional(),
  prompt_eval_duration: z.number().optional(),
  eval_count: z.number().optional(),
  eval_duration: z.number().optional(),
};

const ollamaToolCallSchema = z.looseObject({
  id: z.string().optional(),
  function: z.looseObject({
    index: z.number().optional(),
    name: z.string(),
    arguments: z.record(z.string(), z.unknown()).optional(),
  }),
});

const ollamaResponseMessageSchema = z.looseObject({
  role: z.string(),
  content: z.string().default(''),
  thinking: z.string().optional(),
  tool_calls: z.array(ollamaToolCallSchema).optional(),
});

const tokenLogprobSchema = z.looseObject({ token: z.string(), logprob: z.number(), bytes: z.array(z.number()).optional() });
/** One generated token (api.Logprob): the token's own fields plus the alternatives when top_logprobs > 0. */
const ollamaLogprobSchema = tokenLogprobSchema.extend({ top_logprobs: z.array(tokenLogprobSchema).optional() });

const lineBase = {
  logprobs: z.array(ollamaLogprobSchema).optional(),
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

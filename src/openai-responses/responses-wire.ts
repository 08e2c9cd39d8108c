import { z } from 'zod';

// Request bodies of the Responses API as clients send them (openai SDK, Vercel AI SDK, Codex CLI). Objects
// strip unknown keys: OpenAI adds request fields often and agents send them (client_metadata, prompt_cache_key,
// include, ...); we accept and ignore what has no local meaning. `null` means absent, as in chat.

const text = z.object({ type: z.enum(['input_text', 'output_text']), text: z.string() });
const refusal = z.object({ type: z.literal('refusal'), refusal: z.string() });
const image = z.object({
  type: z.literal('input_image'),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: z.string().nullish(),
});
const contentPart = z.discriminatedUnion('type', [text, refusal, image], {
  error: "content part type must be 'input_text', 'output_text', 'refusal' or 'input_image' (files and audio are not supported)",
});
const content = z.union([z.string(), z.array(contentPart)], { error: 'expected a string or an array of content parts' });

const message = z.object({
  type: z.literal('message'),
  id: z.string().nullish(),
  role: z.enum(['user', 'assistant', 'system', 'developer'], { error: "role must be 'user', 'assistant', 'system' or 'developer'" }),
  content,
});
const functionCall = z.object({
  type: z.literal('function_call'),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().nullish(),
  arguments: z.string(),
});
const toolOutput = z.union([z.string(), z.array(contentPart)], { error: 'expected a string or an array of content parts' });
const functionCallOutput = z.object({
  type: z.literal('function_call_output'),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  output: toolOutput,
});
const customToolCall = z.object({
  type: z.literal('custom_tool_call'),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().nullish(),
  input: z.string(),
});
const customToolCallOutput = z.object({
  type: z.literal('custom_tool_call_output'),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  output: toolOutput,
});
const summaryText = z.object({ text: z.string() });
const reasoning = z.object({
  type: z.literal('reasoning'),
  id: z.string().nullish(),
  summary: z.array(summaryText).nullish(),
  content: z.array(summaryText).nullish(),
  encrypted_content: z.string().nullish(),
});
const compaction = z.object({ type: z.literal('compaction'), id: z.string().nullish(), encrypted_content: z.string() });

const functionTool = z.object({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
const customTool = z.object({
  type: z.literal('custom'),
  name: z.string().min(1),
  description: z.string().nullish(),
  format: z.record(z.string(), z.unknown()).nullish(),
});
const namespaceTool = z.object({
  type: z.literal('namespace'),
  name: z.string().min(1),
  description: z.string().nullish(),
  tools: z.array(z.discriminatedUnion('type', [functionTool, customTool], { error: "namespace tools must be of type 'function' or 'custom'" })),
});
const unlisted = (known: readonly string[]) =>
  z.string().refine((type) => !known.includes(type), { error: 'this item is malformed', abort: true });
/** Hosted tools (web_search, file_search, tool_search, ...) run at OpenAI; we name them to drop them. */
const otherTool = z.looseObject({ type: unlisted(['function', 'custom', 'namespace']) });
// A known type picks its schema, so a malformed known item reports its own missing field.
export const responsesToolSchema = z.union([z.discriminatedUnion('type', [functionTool, customTool, namespaceTool]), otherTool]);

/** Codex sends extra tools for the turn as an input item (models from its own catalog). */
const additionalTools = z.object({ type: z.literal('additional_tools'), tools: z.array(responsesToolSchema) });
/** Item types we do not produce and cannot replay (hosted tool calls, item references); skipped with a warning. */
const otherItem = z.looseObject({
  type: unlisted(['message', 'function_call', 'function_call_output', 'custom_tool_call', 'custom_tool_call_output', 'reasoning', 'compaction', 'additional_tools']),
});

/** A message may omit `type`; it is filled in first so the known item types can be told apart by it. */
const withMessageType = (item: unknown): unknown =>
  typeof item === 'object' && item !== null && !('type' in item) && 'role' in item ? { ...item, type: 'message' } : item;

export const responsesInputItemSchema = z.preprocess(
  withMessageType,
  z.union([
    z.discriminatedUnion('type', [message, functionCall, functionCallOutput, customToolCall, customToolCallOutput, reasoning, compaction, additionalTools]),
    otherItem,
  ]),
);

const toolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.enum(['function', 'custom']), name: z.string().min(1) }),
  z.object({
    type: z.literal('allowed_tools'),
    mode: z.enum(['auto', 'required']),
    tools: z.array(z.looseObject({ type: z.string(), name: z.string().nullish() })),
  }),
  z.looseObject({ type: z.string() }),
]);

const textFormat = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object') }),
    z.object({ type: z.literal('json_schema'), name: z.string().nullish(), schema: z.record(z.string(), z.unknown()), strict: z.boolean().nullish() }),
  ],
  { error: "text.format.type must be 'text', 'json_object' or 'json_schema'" },
);

const effort = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'], {
  error: "reasoning.effort must be one of 'none', 'minimal', 'low', 'medium', 'high', 'xhigh'",
});

export const responsesCreateSchema = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(responsesInputItemSchema)], { error: 'expected a string or an array of input items' }).nullish(),
  instructions: z.string().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  tools: z.array(responsesToolSchema).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.object({ format: textFormat.nullish(), verbosity: z.string().nullish() }).nullish(),
  reasoning: z.object({ effort: effort.nullish(), summary: z.string().nullish(), generate_summary: z.string().nullish() }).nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  user: z.string().nullish(),
  store: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  background: z.boolean().nullish(),
  conversation: z.unknown().optional(),
  include: z.array(z.string()).nullish(),
  prompt_cache_key: z.string().nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  // Ollama extras, as on chat.
  options: z.record(z.string(), z.unknown()).nullish(),
  keep_alive: z.union([z.string(), z.number()]).nullish(),
});

export type ResponsesCreateBody = z.output<typeof responsesCreateSchema>;
export type ResponsesInputItem = z.output<typeof responsesInputItemSchema>;
export type ResponsesTool = z.output<typeof responsesToolSchema>;
export type ResponsesContentPart = z.output<typeof contentPart>;

/** POST /v1/responses/compact: the conversation to compact (as for create) and the model that summarizes it. */
export const responsesCompactSchema = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(responsesInputItemSchema)], { error: 'expected a string or an array of input items' }).nullish(),
  instructions: z.string().nullish(),
  previous_response_id: z.string().min(1).nullish(),
});
export type ResponsesCompactBody = z.output<typeof responsesCompactSchema>;

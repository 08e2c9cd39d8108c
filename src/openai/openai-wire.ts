import { z } from 'zod';

// Request bodies as OpenAI clients send them. Objects strip unknown keys: SDKs send many fields we
// accept and ignore (user, store, metadata, ...). Clients send explicit `null`
// for optional fields, so every optional field is `.nullish()` and null means "absent".

export type * from './openai-wire-responses.js';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string(), detail: z.string().nullish() }),
});
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });

const partTypeError = (allowed: string) => ({ error: `content part type must be ${allowed}` });
const contentError = { error: 'expected a string or an array of content parts' };

const textContent = z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart], partTypeError("'text'")))], contentError);
const userContent = z.union(
  [
    z.string(),
    z.array(
      z.discriminatedUnion('type', [textPart, imagePart], partTypeError("'text' or 'image_url' (audio and file inputs are not supported)")),
    ),
  ],
  contentError,
);
const assistantContent = z.union(
  [z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart], partTypeError("'text' or 'refusal'")))],
  contentError,
);

const messageToolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function', { error: "only tool calls of type 'function' are supported" }),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});
const legacyFunctionCall = z.object({ name: z.string().min(1), arguments: z.string() });

const chatMessage = z.discriminatedUnion(
  'role',
  [
    z.object({ role: z.literal('system'), content: textContent }),
    z.object({ role: z.literal('developer'), content: textContent }),
    z.object({ role: z.literal('user'), content: userContent }),
    z.object({
      role: z.literal('assistant'),
      content: assistantContent.nullish(),
      tool_calls: z.array(messageToolCall).nullish(),
      function_call: legacyFunctionCall.nullish(),
      // DeepSeek dialect: earlier turns' chain of thought sent back by the client.
      reasoning_content: z.string().nullish(),
    }),
    z.object({ role: z.literal('tool'), content: textContent, tool_call_id: z.string().min(1) }),
    // Deprecated forerunner of `tool`, still sent by old LangChain versions.
    z.object({ role: z.literal('function'), name: z.string().min(1), content: z.string().nullish() }),
  ],
  { error: "role must be one of 'system', 'developer', 'user', 'assistant', 'tool' or 'function'" },
);
export type OpenAIChatMessage = z.output<typeof chatMessage>;

const functionDefinition = z.object({
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
});
const tool = z.object({
  type: z.literal('function', { error: "only tools of type 'function' are supported" }),
  function: functionDefinition,
});
const namedToolChoice = z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) });
const allowedToolsChoice = z.object({
  type: z.literal('allowed_tools'),
  allowed_tools: z.object({ mode: z.enum(['auto', 'required']), tools: z.array(namedToolChoice) }),
});
const toolChoice = z.union([z.enum(['none', 'auto', 'required']), namedToolChoice, allowedToolsChoice], {
  error: "expected 'none', 'auto', 'required' or {type:'function', function:{name}}",
});
export type OpenAIToolChoice = z.output<typeof toolChoice>;
export type OpenAITool = z.output<typeof tool>;

const responseFormat = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object') }),
    z.object({
      type: z.literal('json_schema'),
      json_schema: z.object({ name: z.string().nullish(), schema: z.record(z.string(), z.unknown()).nullish() }),
    }),
  ],
  { error: "type must be 'text', 'json_object' or 'json_schema'" },
);

const between = (min: number, max: number) => {
  const error = `must be a number between ${min} and ${max}`;
  return z.number({ error }).min(min, error).max(max, error);
};
const integer = (min: number) => z.int({ error: 'must be an integer' }).min(min, `must be an integer >= ${min}`);

/** Sampling and runtime fields shared by chat and legacy completions. */
const generationFields = {
  model: z.string().min(1, 'must be a non-empty string'),
  temperature: between(0, 2).nullish(),
  top_p: between(0, 1).nullish(),
  max_tokens: integer(1).nullish(),
  stop: z.union([z.string(), z.array(z.string())], { error: 'expected a string or an array of strings' }).nullish(),
  seed: z.int({ error: 'must be an integer' }).nullish(),
  presence_penalty: between(-2, 2).nullish(),
  frequency_penalty: between(-2, 2).nullish(),
  n: integer(1).max(1, 'n > 1 is not supported; send one request per completion').nullish(),
  // Ollama extras, not OpenAI fields.
  options: z.record(z.string(), z.unknown()).nullish(),
  num_ctx: integer(1).nullish(),
  keep_alive: z.union([z.string(), z.number()]).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
};

export const openAIChatCompletionRequestSchema = z.object({
  ...generationFields,
  messages: z.array(chatMessage).min(1, 'must contain at least one message'),
  max_completion_tokens: integer(1).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: integer(0).max(20, 'must be an integer between 0 and 20').nullish(),
  response_format: responseFormat.nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  functions: z.array(functionDefinition).nullish(),
  function_call: z.union([z.enum(['none', 'auto']), z.object({ name: z.string().min(1) })]).nullish(),
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']).nullish(),
  modalities: z.array(z.string()).refine((list) => !list.includes('audio'), 'audio output is not supported').nullish(),
  audio: z.null({ error: 'audio output is not supported' }).optional(),
  // Extras: Ollama's `think`, DeepSeek's `thinking`, and ours.
  think: z.union([z.boolean(), z.enum(['low', 'medium', 'high', 'max'])], { error: "expected true, false, 'low', 'medium', 'high' or 'max'" }).nullish(),
  thinking: z.object({ type: z.enum(['enabled', 'disabled']) }).nullish(),
  plugins: z.array(z.string().min(1)).nullish(),
  system_message: z.string().nullish(),
});
export type OpenAIChatCompletionRequest = z.output<typeof openAIChatCompletionRequestSchema>;

export const openAITextCompletionRequestSchema = z.object({
  ...generationFields,
  // Checked in to-text-request.ts so token-id prompts get a message that names the problem.
  prompt: z.union([z.string(), z.array(z.unknown())], { error: 'expected a string or an array with one string' }),
  suffix: z.string().nullish(),
  echo: z.boolean().nullish(),
  best_of: integer(0).max(1, 'best_of > 1 is not supported').nullish(),
  // Legacy form: the number of alternatives per token (OpenAI allows up to 5).
  logprobs: integer(0).max(5, 'must be an integer between 0 and 5').nullish(),
  raw: z.boolean().nullish(),
});
export type OpenAITextCompletionRequest = z.output<typeof openAITextCompletionRequestSchema>;

export const openAIEmbeddingRequestSchema = z.object({
  model: generationFields.model,
  input: z.union([z.string(), z.array(z.unknown())], { error: 'expected a string or an array of strings' }),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: integer(1).nullish(),
  options: generationFields.options,
  num_ctx: generationFields.num_ctx,
  keep_alive: generationFields.keep_alive,
});
export type OpenAIEmbeddingRequest = z.output<typeof openAIEmbeddingRequestSchema>;


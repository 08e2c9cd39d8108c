import { z } from 'zod';

// The Messages API as Anthropic clients (the SDKs, Claude Code, Vercel's provider) send it. Objects strip
// unknown keys: clients send fields we accept and ignore (cache_control, citations, context_management,
// container, mcp_servers, service_tier…). Anything we cannot serve faithfully is refused with a 400 here.

const cacheControl = z.unknown().optional();

const textBlock = z.object({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });
const imageBlock = z.object({
  type: z.literal('image'),
  source: z.discriminatedUnion(
    'type',
    [z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string().min(1) })],
    { error: "only base64 image sources are supported (type 'base64'); image URLs and files are not fetched" },
  ),
  cache_control: cacheControl,
});
const toolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown(), { error: 'tool_use input must be a JSON object' }),
  cache_control: cacheControl,
});
const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z
    .union(
      [z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock], { error: "tool_result content blocks must be 'text' or 'image'" }))],
      { error: 'expected a string or an array of text and image blocks' },
    )
    .optional(),
  is_error: z.boolean().nullish(),
  cache_control: cacheControl,
});
const thinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().nullish() });
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() });

const blockError = (allowed: string) => ({ error: `content block type must be ${allowed}` });
const USER_BLOCKS = "'text', 'image' or 'tool_result' (documents, search results and server tool blocks are not supported)";
const ASSISTANT_BLOCKS = "'text', 'thinking', 'redacted_thinking' or 'tool_use' (server tool blocks are not supported)";

const userContent = z.union(
  [z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock, toolResultBlock], blockError(USER_BLOCKS)))],
  { error: 'expected a string or an array of content blocks' },
);
const assistantContent = z.union(
  [z.string(), z.array(z.discriminatedUnion('type', [textBlock, thinkingBlock, redactedThinkingBlock, toolUseBlock], blockError(ASSISTANT_BLOCKS)))],
  { error: 'expected a string or an array of content blocks' },
);
const systemContent = z.union([z.string(), z.array(textBlock)], { error: 'expected a string or an array of text blocks' });

const message = z.discriminatedUnion(
  'role',
  [
    z.object({ role: z.literal('user'), content: userContent }),
    z.object({ role: z.literal('assistant'), content: assistantContent }),
    // Not in Anthropic's public API, but Claude Code sends it (environment, tool lists): a system turn in place.
    z.object({ role: z.literal('system'), content: systemContent }),
  ],
  { error: "role must be 'user' or 'assistant'" },
);

// Only custom (client-run) tools can be served; server and Anthropic-defined tool types are refused in
// to-tool-settings.ts with a message naming the type.
const tool = z.object({
  type: z.string().nullish(),
  name: z.string().min(1).max(128),
  description: z.string().nullish(),
  input_schema: z.record(z.string(), z.unknown(), { error: 'input_schema must be a JSON Schema object' }).nullish(),
  // Accepted and ignored: without a tool search tool every tool is offered to the model up front.
  defer_loading: z.boolean().nullish(),
  cache_control: cacheControl,
});

const toolChoice = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().nullish() }),
    z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().nullish() }),
    z.object({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().nullish() }),
    z.object({ type: z.literal('none') }),
  ],
  { error: "tool_choice type must be 'auto', 'any', 'tool' or 'none'" },
);

const thinkingDisplay = z.enum(['summarized', 'omitted']).nullish();
const thinking = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1), display: thinkingDisplay }),
    z.object({ type: z.literal('adaptive'), display: thinkingDisplay }),
    z.object({ type: z.literal('disabled') }),
  ],
  { error: "thinking type must be 'enabled', 'adaptive' or 'disabled'" },
);

const ANTHROPIC_EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

/** Everything but max_tokens: the count_tokens body is this. */
const countTokensFields = {
  model: z.string().min(1),
  messages: z.array(message),
  system: systemContent.nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  thinking: thinking.nullish(),
  output_config: z.object({ effort: z.enum(ANTHROPIC_EFFORTS).nullish() }).nullish(),
};

export const anthropicCountTokensRequestSchema = z.object(countTokensFields);

export const anthropicMessagesRequestSchema = z.object({
  ...countTokensFields,
  // Any size is accepted: Claude Code asks for 128000; the Ollama request is bounded by the model's context.
  max_tokens: z.number().int().min(1),
  stop_sequences: z.array(z.string()).nullish(),
  temperature: z.number().min(0).max(1).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_k: z.number().int().min(0).nullish(),
  stream: z.boolean().nullish(),
  metadata: z.object({ user_id: z.string().nullish() }).nullish(),
});

export type AnthropicCountTokensRequest = z.output<typeof anthropicCountTokensRequestSchema>;
export type AnthropicMessagesRequest = z.output<typeof anthropicMessagesRequestSchema>;
export type AnthropicMessage = AnthropicCountTokensRequest['messages'][number];
export type AnthropicTool = NonNullable<AnthropicCountTokensRequest['tools']>[number];

// ---- What we send back (field names and shapes as Anthropic's API returns them) ----

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  /** Only when the pipeline knows it (tokens served from a cache). */
  cache_read_input_tokens?: number;
}

export interface AnthropicMessageObject {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export type AnthropicContentDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: 'input_json_delta'; partial_json: string };

export type AnthropicStreamEvent =
  | { type: 'message_start'; message: AnthropicMessageObject }
  | { type: 'content_block_start'; index: number; content_block: AnthropicContentBlock }
  | { type: 'content_block_delta'; index: number; delta: AnthropicContentDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null }; usage: AnthropicUsage }
  | { type: 'message_stop' };

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id?: string;
}

export interface AnthropicModel {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

export interface AnthropicModelList {
  data: AnthropicModel[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

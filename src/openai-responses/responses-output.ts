// Response objects and stream events as the Responses API returns them (checked against the openai SDK's
// `resources/responses/responses.d.ts` in test/unit/openai-responses/output-types.test.ts).

export interface ResponsesOutputText {
  type: 'output_text';
  text: string;
  annotations: never[];
  logprobs: never[];
}

export interface ResponsesMessageItem {
  type: 'message';
  id: string;
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  content: ResponsesOutputText[];
}

export interface ResponsesReasoningItem {
  type: 'reasoning';
  id: string;
  summary: { type: 'summary_text'; text: string }[];
  content?: { type: 'reasoning_text'; text: string }[];
  status?: 'in_progress' | 'completed' | 'incomplete';
}

export interface ResponsesFunctionCallItem {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  namespace?: string;
  arguments: string;
  status: 'in_progress' | 'completed' | 'incomplete';
}

export interface ResponsesCustomToolCallItem {
  type: 'custom_tool_call';
  id: string;
  call_id: string;
  name: string;
  namespace?: string;
  input: string;
}

export type ResponsesOutputItem = ResponsesMessageItem | ResponsesReasoningItem | ResponsesFunctionCallItem | ResponsesCustomToolCallItem;

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponsesStatus = 'completed' | 'incomplete' | 'in_progress' | 'failed';

export interface ResponsesErrorBody {
  code: 'server_error' | 'rate_limit_exceeded' | 'invalid_prompt';
  message: string;
}

export interface ResponsesObject {
  id: string;
  object: 'response';
  created_at: number;
  completed_at: number | null;
  status: ResponsesStatus;
  error: ResponsesErrorBody | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  model: string;
  instructions: string | null;
  output: ResponsesOutputItem[];
  parallel_tool_calls: boolean;
  tool_choice: unknown;
  tools: unknown[];
  temperature: number | null;
  top_p: number | null;
  max_output_tokens: number | null;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  text: { format: Record<string, unknown>; verbosity?: string };
  truncation: 'auto' | 'disabled';
  metadata: Record<string, string>;
  store: boolean;
  background: boolean;
  service_tier: 'default';
  user?: string;
  prompt_cache_key?: string;
  usage: ResponsesUsage | null;
}

/** Stream events without their `sequence_number`, which the encoder stamps in order. */
export type ResponsesEventBody =
  | { type: 'response.created' | 'response.in_progress' | 'response.completed' | 'response.incomplete' | 'response.failed'; response: ResponsesObject }
  | { type: 'response.output_item.added' | 'response.output_item.done'; output_index: number; item: ResponsesOutputItem }
  | { type: 'response.content_part.added' | 'response.content_part.done'; item_id: string; output_index: number; content_index: number; part: ResponsesOutputText }
  | { type: 'response.output_text.delta'; item_id: string; output_index: number; content_index: number; delta: string; logprobs: never[] }
  | { type: 'response.output_text.done'; item_id: string; output_index: number; content_index: number; text: string; logprobs: never[] }
  | { type: 'response.reasoning_summary_part.added' | 'response.reasoning_summary_part.done'; item_id: string; output_index: number; summary_index: number; part: { type: 'summary_text'; text: string } }
  | { type: 'response.reasoning_summary_text.delta'; item_id: string; output_index: number; summary_index: number; delta: string }
  | { type: 'response.reasoning_summary_text.done'; item_id: string; output_index: number; summary_index: number; text: string }
  | { type: 'response.function_call_arguments.delta'; item_id: string; output_index: number; delta: string }
  | { type: 'response.function_call_arguments.done'; item_id: string; output_index: number; name: string; arguments: string }
  | { type: 'response.custom_tool_call_input.delta'; item_id: string; output_index: number; delta: string }
  | { type: 'response.custom_tool_call_input.done'; item_id: string; output_index: number; input: string };

export type ResponsesStreamEvent = ResponsesEventBody & { sequence_number: number };

import type { ChatMessage, ChatRequest, ReasoningSettings, ResponseFormat, RuntimeSettings } from '../core/chat-request.js';
import { InvalidRequestError } from '../core/errors.js';
import { invalidParam, parseOpenAIBody } from '../openai/parse-openai-body.js';
import type { ItemIdPrefix, ResponsesEcho } from './response-object.js';
import { responsesCreateSchema, type ResponsesCreateBody, type ResponsesInputItem } from './responses-wire.js';
import type { ToolNames } from './tool-names.js';
import { toInputMessages } from './to-input-messages.js';
import { toToolSettings } from './to-tool-settings.js';

/** A parsed POST /responses: the canonical request plus what the route needs to answer and to store. */
export interface ResponsesCall {
  /** Instructions (as a system message) and this request's input; a previous response's history goes between them. */
  request: ChatRequest;
  instructions?: ChatMessage;
  /** This request's input as canonical messages (what a stored conversation adds). */
  input: ChatMessage[];
  /** This request's input items with ids, for GET /responses/{id}/input_items. */
  inputItems: Record<string, unknown>[];
  previousResponseId?: string;
  stream: boolean;
  store: boolean;
  toolNames: ToolNames;
  echo: ResponsesEcho;
  /** Things accepted but not served (hosted tools, unknown items): reported in a response header. */
  warnings: string[];
}

/** POST /v1/responses body → canonical request. Throws InvalidRequestError (400 with `param`). */
export function toChatRequest(body: unknown, newItemId: (prefix: ItemIdPrefix) => string): ResponsesCall {
  const wire = parseOpenAIBody(responsesCreateSchema, body);
  if (wire.background === true) throw invalidParam('background', 'background responses are not supported here; stream instead');
  if (wire.conversation != null) throw invalidParam('conversation', "conversation objects are not supported; chain responses with 'previous_response_id'");
  if (wire.input == null && wire.previous_response_id == null) throw new InvalidRequestError("Missing required parameter: 'input'.", 'input');
  const parsed = toInputMessages(wire.input ?? []);
  const toolSettings = toToolSettings([...(wire.tools ?? []), ...parsed.extraTools], wire.tool_choice);
  const instructions: ChatMessage | undefined = wire.instructions ? { role: 'system', content: wire.instructions } : undefined;
  const request: ChatRequest = {
    model: wire.model,
    messages: instructions ? [instructions, ...parsed.messages] : parsed.messages,
    sampling: toSampling(wire),
  };
  if (toolSettings.tools) request.tools = toolSettings.tools;
  if (toolSettings.toolChoice) request.toolChoice = toolSettings.toolChoice;
  if (wire.parallel_tool_calls === false) request.parallelToolCalls = false;
  const responseFormat = toResponseFormat(wire.text?.format);
  if (responseFormat) request.responseFormat = responseFormat;
  const reasoning = toReasoningSettings(wire.reasoning?.effort);
  if (reasoning) request.reasoning = reasoning;
  const runtime = toRuntime(wire);
  if (runtime) request.runtime = runtime;
  const call: ResponsesCall = {
    request,
    input: parsed.messages,
    inputItems: toInputItems(wire.input ?? [], newItemId),
    stream: wire.stream === true,
    store: wire.store !== false,
    toolNames: toolSettings.names,
    echo: toEcho(wire, toolSettings.echo),
    warnings: [...toolSettings.warnings, ...parsed.warnings],
  };
  if (instructions) call.instructions = instructions;
  if (wire.previous_response_id != null) call.previousResponseId = wire.previous_response_id;
  return call;
}

function toSampling(wire: ResponsesCreateBody): ChatRequest['sampling'] {
  const sampling: ChatRequest['sampling'] = {};
  if (wire.temperature != null) sampling.temperature = wire.temperature;
  if (wire.top_p != null) sampling.topP = wire.top_p;
  if (wire.max_output_tokens != null) sampling.maxTokens = wire.max_output_tokens;
  return sampling;
}

function toRuntime(wire: ResponsesCreateBody): RuntimeSettings | undefined {
  if (wire.options == null && wire.keep_alive == null) return undefined;
  const runtime: RuntimeSettings = {};
  if (wire.options != null) runtime.options = wire.options;
  if (wire.keep_alive != null) runtime.keepAlive = wire.keep_alive;
  return runtime;
}

type TextFormat = NonNullable<NonNullable<ResponsesCreateBody['text']>['format']>;

function toResponseFormat(format: TextFormat | null | undefined): ResponseFormat | undefined {
  if (format == null) return undefined;
  if (format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json' };
  return format.name == null ? { type: 'json_schema', schema: format.schema } : { type: 'json_schema', schema: format.schema, name: format.name };
}

/** Our scale stops at high: minimal → low, xhigh/max → high; `none` turns thinking off. */
export function toReasoningSettings(effort: string | null | undefined): ReasoningSettings | undefined {
  switch (effort) {
    case null:
    case undefined:
      return undefined;
    case 'none':
      return { enabled: false };
    case 'minimal':
    case 'low':
      return { enabled: true, effort: 'low' };
    case 'medium':
      return { enabled: true, effort: 'medium' };
    default:
      return { enabled: true, effort: 'high' };
  }
}

const ITEM_ID_PREFIXES: Record<string, ItemIdPrefix> = {
  message: 'msg',
  reasoning: 'rs',
  function_call: 'fc',
  custom_tool_call: 'ctc',
  function_call_output: 'fco',
  custom_tool_call_output: 'fco',
};

/** Input items as the client sent them, each with an id (a string input becomes one user message). */
function toInputItems(input: string | readonly ResponsesInputItem[], newItemId: (prefix: ItemIdPrefix) => string): Record<string, unknown>[] {
  if (typeof input === 'string') {
    return [{ id: newItemId('msg'), type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text: input }] }];
  }
  return input.map((item) => {
    const record = { ...item } as Record<string, unknown>;
    if (typeof record.id !== 'string') record.id = newItemId(ITEM_ID_PREFIXES[String(record.type)] ?? 'item');
    return record;
  });
}

function toEcho(wire: ResponsesCreateBody, tools: unknown[]): ResponsesEcho {
  const echo: ResponsesEcho = {
    model: wire.model,
    instructions: wire.instructions ?? null,
    parallel_tool_calls: wire.parallel_tool_calls ?? true,
    tool_choice: wire.tool_choice ?? 'auto',
    tools,
    temperature: wire.temperature ?? null,
    top_p: wire.top_p ?? null,
    max_output_tokens: wire.max_output_tokens ?? null,
    previous_response_id: wire.previous_response_id ?? null,
    reasoning: { effort: wire.reasoning?.effort ?? null, summary: wire.reasoning?.summary ?? null },
    text: { format: wire.text?.format ?? { type: 'text' } },
    truncation: wire.truncation ?? 'disabled',
    metadata: wire.metadata ?? {},
    store: wire.store !== false,
    background: false,
    service_tier: 'default',
  };
  if (wire.text?.verbosity != null) echo.text.verbosity = wire.text.verbosity;
  if (wire.user != null) echo.user = wire.user;
  if (wire.prompt_cache_key != null) echo.prompt_cache_key = wire.prompt_cache_key;
  return echo;
}

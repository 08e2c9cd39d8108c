import type { ChatRequest, LogprobsSettings, ReasoningSettings, ResponseFormat } from '../core/chat-request.js';
import { reasoningFromEffort, reasoningFromSwitch } from '../core/reasoning-effort.js';
import { openAIChatCompletionRequestSchema, type OpenAIChatCompletionRequest } from './openai-wire.js';
import { toStreamFlags, type StreamFlags } from './stream-flags.js';
import { invalidParam, parseOpenAIBody } from './parse-openai-body.js';
import { toChatMessages } from './to-chat-messages.js';
import { toRuntimeSettings, toSamplingOptions } from './to-sampling-options.js';
import { toToolSettings } from './to-tool-settings.js';

export interface ChatCall extends StreamFlags {
  request: ChatRequest;
}

/** POST /v1/chat/completions body → canonical request and stream flags, in one parse. Throws InvalidRequestError (400, `param` set). */
export function toChatCall(body: unknown, maxJsonDepth?: number): ChatCall {
  const wire = parseOpenAIBody(openAIChatCompletionRequestSchema, body);
  return { request: fromWire(wire, maxJsonDepth), ...toStreamFlags(wire) };
}

function fromWire(wire: OpenAIChatCompletionRequest, maxJsonDepth: number | undefined): ChatRequest {
  const messages = toChatMessages(wire.messages, maxJsonDepth);
  if (wire.system_message) messages.unshift({ role: 'system', content: wire.system_message });
  const request: ChatRequest = { model: wire.model, messages, sampling: toSamplingOptions(wire) };
  const { tools, toolChoice } = toToolSettings(wire);
  if (tools) request.tools = tools;
  if (toolChoice) request.toolChoice = toolChoice;
  if (wire.parallel_tool_calls === false) request.parallelToolCalls = false;
  const responseFormat = toResponseFormat(wire.response_format);
  if (responseFormat) request.responseFormat = responseFormat;
  const reasoning = toReasoningSettings(wire);
  if (reasoning) request.reasoning = reasoning;
  const runtime = toRuntimeSettings(wire);
  if (runtime) request.runtime = runtime;
  if (wire.plugins != null) request.plugins = wire.plugins;
  const logprobs = toLogprobsSettings(wire);
  if (logprobs) request.logprobs = logprobs;
  return request;
}

/** As OpenAI: top_logprobs needs logprobs: true. */
function toLogprobsSettings(wire: OpenAIChatCompletionRequest): LogprobsSettings | undefined {
  if (wire.logprobs !== true) {
    if (wire.top_logprobs != null && wire.top_logprobs > 0) throw invalidParam('top_logprobs', 'requires logprobs to be true');
    return undefined;
  }
  return { topLogprobs: wire.top_logprobs ?? 0 };
}

function toResponseFormat(format: OpenAIChatCompletionRequest['response_format']): ResponseFormat | undefined {
  if (format == null) return undefined;
  if (format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json' };
  const { schema, name } = format.json_schema;
  // The spec lets json_schema omit the schema itself; that constrains nothing beyond "valid JSON".
  if (schema == null) return { type: 'json' };
  return name == null ? { type: 'json_schema', schema } : { type: 'json_schema', schema, name };
}

/**
 * Precedence: Ollama's `think` (the backend's own switch), then DeepSeek's `thinking` (with reasoning_effort as
 * its depth), then OpenAI's `reasoning_effort` alone. The backend clamps the effort to what the model supports.
 */
function toReasoningSettings(wire: OpenAIChatCompletionRequest): ReasoningSettings | undefined {
  const { think, thinking, reasoning_effort: effort } = wire;
  if (think != null) return typeof think === 'boolean' ? { enabled: think } : { enabled: true, effort: think };
  if (thinking != null) return reasoningFromSwitch(thinking.type === 'enabled', effort ?? undefined);
  return effort == null ? undefined : reasoningFromEffort(effort);
}

// The HTTP routes import the sibling converters from here too.

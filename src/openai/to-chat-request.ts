import type { ChatRequest, ReasoningSettings, ResponseFormat } from '../core/chat-request.js';
import { openAIChatCompletionRequestSchema, type OpenAIChatCompletionRequest } from './openai-wire.js';
import { parseOpenAIBody } from './parse-openai-body.js';
import { toChatMessages } from './to-chat-messages.js';
import { toRuntimeSettings, toSamplingOptions } from './to-sampling-options.js';
import { toToolSettings } from './to-tool-settings.js';

/** POST /v1/chat/completions body → canonical request. Throws InvalidRequestError (400, `param` set). */
export function toChatRequest(body: unknown, maxJsonDepth?: number): ChatRequest {
  const wire = parseOpenAIBody(openAIChatCompletionRequestSchema, body);
  const messages = toChatMessages(wire.messages, maxJsonDepth);
  if (wire.system_message) messages.unshift({ role: 'system', content: wire.system_message });
  const request: ChatRequest = { model: wire.model, messages, sampling: toSamplingOptions(wire) };
  const { tools, toolChoice } = toToolSettings(wire);
  if (tools) request.tools = tools;
  if (toolChoice) request.toolChoice = toolChoice;
  const responseFormat = toResponseFormat(wire.response_format);
  if (responseFormat) request.responseFormat = responseFormat;
  const reasoning = toReasoningSettings(wire);
  if (reasoning) request.reasoning = reasoning;
  const runtime = toRuntimeSettings(wire);
  if (runtime) request.runtime = runtime;
  if (wire.plugins != null) request.plugins = wire.plugins;
  return request;
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
 * Precedence: Ollama's `think` (the backend's own switch), then DeepSeek's `thinking`, then OpenAI's
 * `reasoning_effort`. Our scale stops at high: minimal → low, xhigh/max → high.
 */
function toReasoningSettings(wire: OpenAIChatCompletionRequest): ReasoningSettings | undefined {
  const { think, thinking, reasoning_effort: effort } = wire;
  if (think != null) return typeof think === 'boolean' ? { enabled: think } : { enabled: true, effort: think };
  if (thinking != null) return { enabled: thinking.type === 'enabled' };
  switch (effort) {
    case null:
    case undefined:
      return undefined;
    case 'none':
      return { enabled: false };
    case 'minimal':
      return { enabled: true, effort: 'low' };
    case 'xhigh':
    case 'max':
      return { enabled: true, effort: 'high' };
    default:
      return { enabled: true, effort };
  }
}

// The HTTP routes import the sibling converters from here too.

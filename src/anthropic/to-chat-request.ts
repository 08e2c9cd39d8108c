import type { ChatRequest, ReasoningEffort, ReasoningSettings, SamplingOptions } from '../core/chat-request.js';
import {
  anthropicCountTokensRequestSchema,
  anthropicMessagesRequestSchema,
  type AnthropicCountTokensRequest,
  type AnthropicMessagesRequest,
} from './anthropic-wire.js';
import { parseAnthropicBody } from './parse-anthropic-body.js';
import { toChatMessages, type ToChatMessagesOptions } from './to-chat-messages.js';
import { toToolSettings } from './to-tool-settings.js';

/** A Messages call: the canonical request plus what only the answer's shape depends on. */
export interface AnthropicCall {
  request: ChatRequest;
  stream: boolean;
  /** `thinking.display: "omitted"`: thinking blocks are sent without their text (the model still thinks). */
  omitThinking: boolean;
}

/** POST /v1/messages body → canonical request. Throws InvalidRequestError (400) naming the field. */
export function toAnthropicCall(body: unknown, options: ToChatMessagesOptions = {}): AnthropicCall {
  const wire = parseAnthropicBody(anthropicMessagesRequestSchema, body);
  const request = toCanonical(wire, options);
  request.sampling = toSamplingOptions(wire);
  // The answer names the sequence that ended it (`stop_reason: "stop_sequence"`): the proxy matches them.
  if (request.sampling.stop !== undefined) request.reportStopSequence = true;
  const omitThinking = wire.thinking != null && wire.thinking.type !== 'disabled' && wire.thinking.display === 'omitted';
  return { request, stream: wire.stream === true, omitThinking };
}

/** POST /v1/messages/count_tokens body (no max_tokens) → the canonical request whose prompt is counted. */
export function toCountTokensRequest(body: unknown): ChatRequest {
  return toCanonical(parseAnthropicBody(anthropicCountTokensRequestSchema, body));
}

function toCanonical(wire: AnthropicCountTokensRequest, options: ToChatMessagesOptions = {}): ChatRequest {
  const request: ChatRequest = { model: wire.model, messages: toChatMessages(wire.system, wire.messages, options), sampling: {} };
  const { tools, toolChoice, parallelToolCalls } = toToolSettings(wire);
  if (tools) request.tools = tools;
  if (toolChoice) request.toolChoice = toolChoice;
  if (parallelToolCalls === false) request.parallelToolCalls = false;
  const reasoning = toReasoningSettings(wire);
  if (reasoning) request.reasoning = reasoning;
  return request;
}

function toSamplingOptions(wire: AnthropicMessagesRequest): SamplingOptions {
  const sampling: SamplingOptions = { maxTokens: wire.max_tokens };
  if (wire.temperature != null) sampling.temperature = wire.temperature;
  if (wire.top_p != null) sampling.topP = wire.top_p;
  if (wire.top_k != null) sampling.topK = wire.top_k;
  if (wire.stop_sequences != null && wire.stop_sequences.length > 0) sampling.stop = wire.stop_sequences;
  return sampling;
}

/**
 * `enabled` turns reasoning on, at the level of `output_config.effort` (our scale stops at high: xhigh/max →
 * high), else of `budget_tokens` (< 4096 low, < 16384 medium, more high); `disabled` turns it off. `adaptive`
 * ("the model decides", what Claude Code always sends) and an absent `thinking` leave the model's default:
 * Ollama refuses `think` for models without the thinking capability, and thinking models think by default.
 */
function toReasoningSettings(wire: AnthropicCountTokensRequest): ReasoningSettings | undefined {
  const { thinking } = wire;
  if (thinking == null || thinking.type === 'adaptive') return undefined;
  if (thinking.type === 'disabled') return { enabled: false };
  return { enabled: true, effort: toEffort(wire.output_config?.effort) ?? budgetEffort(thinking.budget_tokens) };
}

function toEffort(effort: string | null | undefined): ReasoningEffort | undefined {
  switch (effort) {
    case 'low':
    case 'medium':
    case 'high':
      return effort;
    case 'xhigh':
    case 'max':
      return 'high';
    default:
      return undefined;
  }
}

function budgetEffort(budget: number): ReasoningEffort {
  if (budget < 4096) return 'low';
  return budget < 16384 ? 'medium' : 'high';
}

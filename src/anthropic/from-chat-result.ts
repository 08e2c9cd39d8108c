import type { ToolCall } from '../core/chat-request.js';
import type { ChatResult, FinishReason, Usage } from '../core/chat-result.js';
import { THINKING_SIGNATURE, toToolUseId } from './anthropic-ids.js';
import type { AnthropicContentBlock, AnthropicMessageObject, AnthropicStopReason, AnthropicUsage } from './anthropic-wire.js';

export interface AnthropicMessageMeta {
  id: string;
  /** The model name the client asked for (Anthropic echoes it). */
  model: string;
  omitThinking: boolean;
  /** The thinking block's signature (thinking-signature.ts); without it, the unsigned placeholder. */
  signThinking?: (thinking: string) => string;
}

/** Canonical result → `message` object: thinking, then text, then tool_use blocks (the order Claude answers in). */
export function fromChatResult(result: ChatResult, meta: AnthropicMessageMeta): AnthropicMessageObject {
  const { message } = result;
  const content: AnthropicContentBlock[] = [];
  if (message.reasoning) {
    const thinking = meta.omitThinking ? '' : message.reasoning;
    content.push({ type: 'thinking', thinking, signature: meta.signThinking?.(thinking) ?? THINKING_SIGNATURE });
  }
  if (message.content !== '') content.push({ type: 'text', text: message.content });
  for (const call of message.toolCalls ?? []) content.push(toToolUseBlock(call));
  return {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content,
    ...toStopFields(result.finishReason, (message.toolCalls?.length ?? 0) > 0, result.stopSequence),
    usage: toAnthropicUsage(result.usage),
  };
}

export function toToolUseBlock(call: ToolCall): Extract<AnthropicContentBlock, { type: 'tool_use' }> {
  return { type: 'tool_use', id: toToolUseId(call.id), name: call.name, input: toInput(call.argumentsJson) };
}

/** The backend keeps arguments as JSON text of an object (Ollama sends objects); anything else becomes {}. */
function toInput(argumentsJson: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(argumentsJson);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export interface AnthropicStopFields {
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
}

/**
 * `stop_reason` and `stop_sequence` of a finished answer. `stopSequence` comes from the pipeline, which matches
 * the request's `stop_sequences` itself (Ollama would strip the sequence and report a natural end). Tool calls
 * made before the cut still make it `tool_use`; `stop_sequence` is set only with `stop_reason: "stop_sequence"`.
 */
export function toStopFields(reason: FinishReason, hasToolCalls: boolean, stopSequence: string | undefined): AnthropicStopFields {
  const stopReason = toStopReason(reason, hasToolCalls);
  if (stopSequence === undefined || stopReason !== 'end_turn') return { stop_reason: stopReason, stop_sequence: null };
  return { stop_reason: 'stop_sequence', stop_sequence: stopSequence };
}

function toStopReason(reason: FinishReason, hasToolCalls: boolean): AnthropicStopReason {
  if (hasToolCalls && reason !== 'length') return 'tool_use';
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    case 'stop':
      return 'end_turn';
  }
}

/** Anthropic's input_tokens excludes tokens read from a cache; those are reported apart, when known. */
export function toAnthropicUsage(usage: Usage): AnthropicUsage {
  const cached = usage.cachedTokens;
  if (cached === undefined) return { input_tokens: usage.promptTokens, output_tokens: usage.completionTokens };
  return { input_tokens: Math.max(0, usage.promptTokens - cached), output_tokens: usage.completionTokens, cache_read_input_tokens: cached };
}

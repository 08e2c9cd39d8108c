import type { ToolCall } from '../core/chat-request.js';
import type { ChatResult, FinishReason } from '../core/chat-result.js';
import type { OpenAIChatCompletion, OpenAIChatCompletionMessage, OpenAIFinishReason, OpenAIResponseMeta, OpenAIToolCall } from './openai-wire.js';
import { toOpenAIChoiceLogprobs } from './to-openai-logprobs.js';
import { toOpenAIUsage } from './to-openai-usage.js';

/** Canonical result → `chat.completion` object. `meta.model` is what the client asked for. */
export function toOpenAICompletion(result: ChatResult, meta: OpenAIResponseMeta): OpenAIChatCompletion {
  const { message } = result;
  const calls = message.toolCalls ?? [];
  const hasToolCalls = calls.length > 0;
  const wireMessage: OpenAIChatCompletionMessage = {
    role: 'assistant',
    // OpenAI sends null content (not "") when the turn is only tool calls.
    content: hasToolCalls && message.content === '' ? null : message.content,
    refusal: null,
  };
  if (hasToolCalls) wireMessage.tool_calls = calls.map(toOpenAIToolCall);
  if (message.reasoning) wireMessage.reasoning_content = message.reasoning;
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    system_fingerprint: meta.systemFingerprint,
    choices: [
      {
        index: 0,
        message: wireMessage,
        logprobs: toOpenAIChoiceLogprobs(result.logprobs),
        finish_reason: toOpenAIFinishReason(result.finishReason, hasToolCalls),
      },
    ],
    usage: toOpenAIUsage(result.usage),
  };
}

export function toOpenAIToolCall(call: ToolCall): OpenAIToolCall {
  return { id: call.id, type: 'function', function: { name: call.name, arguments: call.argumentsJson } };
}

/** Clients run their tool loop only on `tool_calls`; a backend reporting `stop` with calls is corrected. */
export function toOpenAIFinishReason(reason: FinishReason, hasToolCalls: boolean): OpenAIFinishReason {
  return hasToolCalls && reason === 'stop' ? 'tool_calls' : reason;
}

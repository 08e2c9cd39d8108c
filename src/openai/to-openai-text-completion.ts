import type { ChatEvent } from '../core/chat-event.js';
import type { ChatResult, FinishReason } from '../core/chat-result.js';
import { assertStreamFinished, prefixOnce, SSE_DONE, SSE_PING, type StreamEncoder } from '../core/stream-encoder.js';
import type { OpenAIResponseMeta, OpenAITextCompletion, OpenAITextFinishReason } from './openai-wire.js';
import { dataFrame, errorDataFrame } from './openai-sse.js';
import { toOpenAITextLogprobs } from './to-openai-logprobs.js';
import { toOpenAIUsage } from './to-openai-usage.js';

// Legacy /v1/completions. Streamed objects have the same shape as the full one (no `delta`).
// Reasoning is dropped: a text completion has nowhere to put it. `echo` is applied here: the caller
// passes the prompt as `echoPrompt` when the request had echo: true.

export interface OpenAITextMeta extends OpenAIResponseMeta {
  echoPrompt?: string | undefined;
}

export interface OpenAITextStreamMeta extends OpenAITextMeta {
  includeUsage: boolean;
}

export function toOpenAITextCompletion(result: ChatResult, meta: OpenAITextMeta): OpenAITextCompletion {
  const text = (meta.echoPrompt ?? '') + result.message.content;
  const completion = textObject(meta, text, toTextFinishReason(result.finishReason));
  if (result.logprobs) completion.choices[0]!.logprobs = toOpenAITextLogprobs(result.logprobs, meta.echoPrompt?.length ?? 0);
  completion.usage = toOpenAIUsage(result.usage);
  return completion;
}

/**
 * Canonical events → `text_completion` SSE frames: (echo) the prompt first, text fragments, one finish chunk,
 * (include_usage) a `choices: []` usage chunk, then `data: [DONE]`. Events that end without `finish` mean the
 * upstream broke off: `end` throws.
 */
export function createTextChunkEncoder(meta: OpenAITextStreamMeta): StreamEncoder<ChatEvent> {
  const chunk = (text: string, finishReason: OpenAITextFinishReason | null): OpenAITextCompletion => {
    const value = textObject(meta, text, finishReason);
    if (meta.includeUsage) value.usage = null;
    return value;
  };
  let isComplete = false;
  const prefix = meta.echoPrompt ? dataFrame(chunk(meta.echoPrompt, null)) : '';
  // Characters sent so far: the legacy text_offset of each token counts from the start of the choice's text.
  let offset = meta.echoPrompt?.length ?? 0;
  const frames = (event: ChatEvent): string => {
    if (event.type === 'text-delta') {
      const start = offset;
      offset += event.text.length;
      if (event.logprobs) {
        const value = chunk(event.text, null);
        value.choices[0]!.logprobs = toOpenAITextLogprobs(event.logprobs, start);
        return dataFrame(value);
      }
      return event.text === '' ? '' : dataFrame(chunk(event.text, null));
    }
    if (event.type !== 'finish') return '';
    isComplete = true;
    const last = dataFrame(chunk('', toTextFinishReason(event.finishReason)));
    if (!meta.includeUsage) return last;
    const usageChunk = textObject(meta, '', null);
    usageChunk.choices = [];
    usageChunk.usage = toOpenAIUsage(event.usage);
    return last + dataFrame(usageChunk);
  };
  return {
    format: 'sse',
    heartbeat: SSE_PING,
    get isComplete() {
      return isComplete;
    },
    encode: prefixOnce(prefix, frames),
    end() {
      assertStreamFinished(isComplete);
      return SSE_DONE;
    },
    errorFrame: errorDataFrame,
  };
}

function textObject(meta: OpenAIResponseMeta, text: string, finishReason: OpenAITextFinishReason | null): OpenAITextCompletion {
  return {
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model: meta.model,
    system_fingerprint: meta.systemFingerprint,
    choices: [{ text, index: 0, logprobs: null, finish_reason: finishReason }],
  };
}

/** The legacy enum has no tool_calls; a text completion cannot call tools anyway. */
function toTextFinishReason(reason: FinishReason): OpenAITextFinishReason {
  return reason === 'tool_calls' ? 'stop' : reason;
}

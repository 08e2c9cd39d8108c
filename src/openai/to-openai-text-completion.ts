import type { ChatEvent } from '../core/chat-event.js';
import { mapEvents, type EventMapper } from '../core/event-mapper.js';
import type { ChatResult, FinishReason } from '../core/chat-result.js';
import { UpstreamError } from '../core/errors.js';
import type { OpenAIResponseMeta, OpenAITextCompletion, OpenAITextFinishReason } from './openai-wire.js';
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

export function toOpenAITextChunks(events: AsyncIterable<ChatEvent>, meta: OpenAITextStreamMeta): AsyncGenerator<OpenAITextCompletion> {
  return mapEvents(events, createTextChunkMapper(meta));
}

/** toOpenAITextChunks one event at a time; `end` throws: events without `finish` mean the upstream broke off. */
export function createTextChunkMapper(meta: OpenAITextStreamMeta): EventMapper<ChatEvent, OpenAITextCompletion> {
  const makeChunk = (text: string, finishReason: OpenAITextFinishReason | null): OpenAITextCompletion => {
    const chunk = textObject(meta, text, finishReason);
    if (meta.includeUsage) chunk.usage = null;
    return chunk;
  };
  let hasStarted = false;
  // Characters sent so far: the legacy text_offset of each token counts from the start of the choice's text.
  let offset = meta.echoPrompt?.length ?? 0;
  return {
    map(event, out) {
      if (!hasStarted) {
        hasStarted = true;
        if (meta.echoPrompt) out.push(makeChunk(meta.echoPrompt, null));
      }
      if (event.type === 'text-delta' && event.logprobs) {
        const chunk = makeChunk(event.text, null);
        chunk.choices[0]!.logprobs = toOpenAITextLogprobs(event.logprobs, offset);
        out.push(chunk);
      } else if (event.type === 'text-delta' && event.text !== '') {
        out.push(makeChunk(event.text, null));
      }
      if (event.type === 'text-delta') offset += event.text.length;
      if (event.type !== 'finish') return false;
      out.push(makeChunk('', toTextFinishReason(event.finishReason)));
      if (meta.includeUsage) {
        const usageChunk = textObject(meta, '', null);
        usageChunk.choices = [];
        usageChunk.usage = toOpenAIUsage(event.usage);
        out.push(usageChunk);
      }
      return true;
    },
    end() {
      throw new UpstreamError('The model stream ended before the response was complete.');
    },
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

import type { ChatEvent } from '../core/chat-event.js';
import { mapEvents, type EventMapper } from '../core/event-mapper.js';
import { UpstreamError } from '../core/errors.js';
import type { OpenAIChatCompletionChunk, OpenAIChatDelta, OpenAIFinishReason, OpenAIStreamMeta, OpenAIUsage } from './openai-wire.js';
import { toOpenAIFinishReason } from './to-openai-completion.js';
import { toOpenAIChoiceLogprobs } from './to-openai-logprobs.js';
import { toOpenAIUsage } from './to-openai-usage.js';

// Hot path: one call per streamed token. Each chunk is a fresh object literal of one fixed shape
// (the factory is chosen once per stream), with no spreads and no JSON work.

type MakeChunk = (delta: OpenAIChatDelta, finishReason: OpenAIFinishReason | null) => OpenAIChatCompletionChunk;

/**
 * Canonical events → `chat.completion.chunk` objects: a role chunk first, then reasoning/text/tool-call
 * deltas, exactly one chunk carrying finish_reason, and (include_usage) a final `choices: []` usage chunk.
 */
export function toOpenAIChunks(events: AsyncIterable<ChatEvent>, meta: OpenAIStreamMeta): AsyncGenerator<OpenAIChatCompletionChunk> {
  return mapEvents(events, createChatChunkMapper(meta));
}

/** toOpenAIChunks one event at a time; `end` throws: events without `finish` mean the upstream broke off. */
export function createChatChunkMapper(meta: OpenAIStreamMeta): EventMapper<ChatEvent, OpenAIChatCompletionChunk> {
  const makeChunk = chunkFactory(meta);
  let hasStarted = false;
  // Our own numbering: a plugin's second round may restart the backend's indices at 0.
  let toolCallCount = 0;
  return {
    map(event, out) {
      if (!hasStarted) {
        hasStarted = true;
        out.push(makeChunk({ role: 'assistant', content: '' }, null));
      }
      switch (event.type) {
        case 'text-delta':
          if (event.logprobs) out.push(withLogprobs(makeChunk({ content: event.text }, null), event.logprobs));
          else if (event.text !== '') out.push(makeChunk({ content: event.text }, null));
          return false;
        case 'reasoning-delta':
          if (event.text !== '') out.push(makeChunk({ reasoning_content: event.text }, null));
          return false;
        case 'tool-call': {
          const { call } = event;
          // Ollama delivers whole calls, so the first delta of a call is also its last.
          const toolCall = { index: toolCallCount++, id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.argumentsJson } };
          out.push(makeChunk({ tool_calls: [toolCall] }, null));
          return false;
        }
        case 'finish':
          out.push(makeChunk({}, toOpenAIFinishReason(event.finishReason, toolCallCount > 0)));
          if (meta.includeUsage) out.push(usageChunk(meta, toOpenAIUsage(event.usage)));
          return true;
        case 'start':
          return false;
      }
    },
    end() {
      throw new UpstreamError('The model stream ended before the response was complete.');
    },
  };
}

/** Rare (the client asked for logprobs): the chunk of a text delta gets its tokens' logprobs. */
function withLogprobs(chunk: OpenAIChatCompletionChunk, logprobs: NonNullable<Extract<ChatEvent, { type: 'text-delta' }>['logprobs']>): OpenAIChatCompletionChunk {
  chunk.choices[0]!.logprobs = toOpenAIChoiceLogprobs(logprobs);
  return chunk;
}

function chunkFactory(meta: OpenAIStreamMeta): MakeChunk {
  const { id, created, model, systemFingerprint } = meta;
  if (meta.includeUsage) {
    return (delta, finishReason) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: systemFingerprint,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      usage: null,
    });
  }
  return (delta, finishReason) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: systemFingerprint,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
}

function usageChunk(meta: OpenAIStreamMeta, usage: OpenAIUsage): OpenAIChatCompletionChunk {
  return {
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    system_fingerprint: meta.systemFingerprint,
    choices: [],
    usage,
  };
}

import { newMessageId } from '../../anthropic/anthropic-ids.js';
import { fromChatResult, type AnthropicMessageMeta } from '../../anthropic/from-chat-result.js';
import { ANTHROPIC_PING_FRAME, anthropicEventName, createAnthropicEventMapper } from '../../anthropic/to-anthropic-events.js';
import { withThinkingSignatures, type ThinkingSigner } from '../../anthropic/thinking-signature.js';
import type { AnthropicCall } from '../../anthropic/to-chat-request.js';
import type { ChatEvent } from '../../core/chat-event.js';
import type { ChatMessage, ChatRequest } from '../../core/chat-request.js';
import type { Usage } from '../../core/chat-result.js';
import type { HttpResponse } from '../http-types.js';
import { sendJson } from '../json-response.js';
import { callContext } from '../locals.js';
import type { SseFrameMapper } from '../sse.js';
import type { ChatRouteDeps } from './answer-chat.js';
import { annotationHeaders, eventObserver, observedFrames, recordUsage } from './streaming-response.js';

/** Prompt sizes without a tokenizer, calibrated from what Ollama counted (the session memory's estimator). */
export interface PromptCounter {
  count(model: string, messages: readonly ChatMessage[]): number;
  observe(model: string, messages: readonly ChatMessage[], promptTokens: number, extraChars?: number): void;
  charsPerToken(model: string): number;
}

export interface MessagesRouteDeps extends ChatRouteDeps {
  promptCounter: PromptCounter;
  /** Signs thinking blocks going out and checks those coming back; without it, the unsigned placeholder. */
  thinking?: ThinkingSigner;
}

/** Tools reach the model as JSON in its template: their text counts toward the prompt. */
export function toolChars(request: ChatRequest): number {
  return request.tools === undefined ? 0 : JSON.stringify(request.tools).length;
}

/**
 * Runs a Messages call through the same pipeline as chat and answers in Anthropic's shapes: a `message`
 * object, or the typed SSE events. Every answered prompt also calibrates the count_tokens estimate.
 */
export async function answerMessages(deps: MessagesRouteDeps, res: HttpResponse, call: AnthropicCall, sessionId?: string): Promise<void> {
  const { request } = call;
  const locals = res.locals;
  locals.model = request.model;
  locals.stream = call.stream;
  deps.authorizeModel?.(locals.principal, request.model);
  const ctx = callContext(locals, sessionId);
  const meta: AnthropicMessageMeta = { id: newMessageId(), model: request.model, omitThinking: call.omitThinking };
  if (deps.thinking) meta.signThinking = deps.thinking.sign;
  // With a session the prompt holds history this request does not carry: nothing to learn from it.
  const learn = (usage: Usage) => {
    if (sessionId === undefined && usage.cachedTokens === undefined) {
      deps.promptCounter.observe(request.model, request.messages, usage.promptTokens, toolChars(request));
    }
  };
  if (!call.stream) {
    const result = await deps.backend.complete(request, ctx);
    recordUsage(res, deps.metrics, result.model, result.usage);
    learn(result.usage);
    annotationHeaders(res);
    sendJson(res, fromChatResult(result, meta));
    return;
  }
  const encoder = createAnthropicEventMapper(meta);
  const frames = observedFrames(eventObserver(res, deps.metrics, meta), deps.thinking ? withThinkingSignatures(encoder, deps.thinking) : encoder);
  await deps.writeSseFrom(res, deps.backend.stream(request, ctx), learning(frames, learn), {
    signal: ctx.signal,
    beforeHeaders: () => annotationHeaders(res),
    eventName: anthropicEventName,
    terminator: '',
    heartbeat: ANTHROPIC_PING_FRAME,
  });
}

function learning<F>(frames: SseFrameMapper<ChatEvent, F>, learn: (usage: Usage) => void): SseFrameMapper<ChatEvent, F> {
  return {
    map(event, out) {
      if (event.type === 'finish') learn(event.usage);
      return frames.map(event, out);
    },
    end: (out) => frames.end(out),
    close: () => frames.close?.(),
  };
}

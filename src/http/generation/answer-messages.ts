import { newMessageId } from '../../anthropic/anthropic-ids.js';
import { fromChatResult, type AnthropicMessageMeta } from '../../anthropic/from-chat-result.js';
import { createAnthropicEncoder } from '../../anthropic/to-anthropic-events.js';
import type { ThinkingSigner } from '../../anthropic/thinking-signature.js';
import type { AnthropicCall } from '../../anthropic/to-chat-request.js';
import type { ChatRequest } from '../../core/chat-request.js';
import type { ChatResult } from '../../core/chat-result.js';
import type { HttpResponse } from '../http-types.js';
import { answerGeneration, type ChatRouteDeps } from './answer-generation.js';

/** Prompt sizes without a tokenizer, calibrated from what Ollama counted (the session memory's estimator). */
export interface PromptCounter {
  /** The request's messages and tools; what a stop sequence's cut answer reports as its prompt tokens too. */
  countPrompt(request: Pick<ChatRequest, 'model' | 'messages' | 'tools'>): number;
  /** Calibrates from what Ollama counted for this request (an answer cut at a stop sequence teaches nothing). */
  observePrompt(request: Pick<ChatRequest, 'model' | 'messages' | 'tools'>, answer: Pick<ChatResult, 'usage' | 'stopSequence'>): void;
}

export interface MessagesRouteDeps extends ChatRouteDeps {
  promptCounter: PromptCounter;
  /** Signs thinking blocks going out and checks those coming back; without it, the unsigned placeholder. */
  thinking?: ThinkingSigner;
}

/**
 * Runs a Messages call through the same pipeline as chat and answers in Anthropic's shapes: a `message`
 * object, or the typed SSE events. Every answered prompt also calibrates the count_tokens estimate.
 */
export function answerMessages(deps: MessagesRouteDeps, res: HttpResponse, call: AnthropicCall, sessionId?: string): Promise<void> {
  const { request } = call;
  const meta: AnthropicMessageMeta = { id: newMessageId(), model: request.model, omitThinking: call.omitThinking };
  if (deps.thinking) meta.signThinking = deps.thinking.sign;
  // With a session the prompt holds history this request does not carry: nothing to learn from it.
  const learn = (answer: Pick<ChatResult, 'usage' | 'stopSequence'>) => {
    if (sessionId === undefined && answer.usage.cachedTokens === undefined) deps.promptCounter.observePrompt(request, answer);
  };
  return answerGeneration(deps, res, {
    model: request.model,
    stream: call.stream,
    sessionId,
    complete: (ctx) => deps.backend.complete(request, ctx),
    events: (ctx) => deps.backend.stream(request, ctx),
    body: (result) => {
      learn(result);
      return fromChatResult(result, meta);
    },
    encoder: () => createAnthropicEncoder(meta, res.locals.requestId),
    onFinish: learn,
  });
}

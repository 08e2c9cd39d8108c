import { newMessageId } from '../../anthropic/anthropic-ids.js';
import { fromChatResult, type AnthropicMessageMeta } from '../../anthropic/from-chat-result.js';
import { createAnthropicEncoder } from '../../anthropic/to-anthropic-events.js';
import type { ThinkingSigner } from '../../anthropic/thinking-signature.js';
import type { AnthropicCall } from '../../anthropic/to-chat-request.js';
import type { ChatMessage, ChatRequest } from '../../core/chat-request.js';
import type { Usage } from '../../core/chat-result.js';
import type { HttpResponse } from '../http-types.js';
import { answerGeneration, type ChatRouteDeps } from './answer-generation.js';

/** Prompt sizes without a tokenizer, calibrated from what Ollama counted (the session memory's estimator). */
export interface PromptCounter {
  /** The request's messages and tools; what a stop sequence's cut answer reports as its prompt tokens too. */
  countPrompt(request: Pick<ChatRequest, 'model' | 'messages' | 'tools'>): number;
  observe(model: string, messages: readonly ChatMessage[], promptTokens: number, extraChars?: number): void;
}

export interface MessagesRouteDeps extends ChatRouteDeps {
  promptCounter: PromptCounter;
  /** Signs thinking blocks going out and checks those coming back; without it, the unsigned placeholder. */
  thinking?: ThinkingSigner;
}

/** Tools reach the model as JSON in its template: their text counts toward the prompt. */
function toolChars(request: ChatRequest): number {
  return request.tools === undefined ? 0 : JSON.stringify(request.tools).length;
}

/**
 * Runs a Messages call through the same pipeline as chat and answers in Anthropic's shapes: a `message`
 * object, or the typed SSE events. Every answered prompt also calibrates the count_tokens estimate.
 */
export function answerMessages(deps: MessagesRouteDeps, res: HttpResponse, call: AnthropicCall, sessionId?: string): Promise<void> {
  const { request } = call;
  const meta: AnthropicMessageMeta = { id: newMessageId(), model: request.model, omitThinking: call.omitThinking };
  if (deps.thinking) meta.signThinking = deps.thinking.sign;
  // With a session the prompt holds history this request does not carry: nothing to learn from it. An answer
  // cut at a stop sequence reports this very estimate (Ollama's count never came): nothing to learn either.
  const learn = (usage: Usage, stopSequence: string | undefined) => {
    if (sessionId === undefined && usage.cachedTokens === undefined && stopSequence === undefined) {
      deps.promptCounter.observe(request.model, request.messages, usage.promptTokens, toolChars(request));
    }
  };
  return answerGeneration(deps, res, {
    model: request.model,
    stream: call.stream,
    sessionId,
    complete: (ctx) => deps.backend.complete(request, ctx),
    events: (ctx) => deps.backend.stream(request, ctx),
    body: (result) => {
      learn(result.usage, result.stopSequence);
      return fromChatResult(result, meta);
    },
    encoder: () => createAnthropicEncoder(meta, res.locals.requestId),
    onFinish: (event) => learn(event.usage, event.stopSequence),
  });
}

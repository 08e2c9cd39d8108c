import type { CallContext, ChatBackend } from '../core/chat-backend.js';
import { collectResult, type ChatEvent } from '../core/chat-event.js';
import { defineChatMiddleware, type ChatMiddleware } from '../core/chat-middleware.js';
import type { ChatRequest } from '../core/chat-request.js';
import { createStopSequenceMatcher } from './stop-sequences/stop-sequence-matcher.js';

// Stop sequences matched here instead of in Ollama, for requests whose client must learn which one ended the
// answer (ChatRequest.reportStopSequence, Anthropic's stop_sequence): Ollama strips a matched sequence and
// says `done_reason: "stop"`, exactly as at a natural end. The innermost stage, below the response cache:
// the cache's fingerprint still covers the stop list, and it stores the answer as cut here.

export interface StopSequencesOptions {
  /**
   * Prompt tokens of a request whose answer was cut here. Ollama counts them in its last line, which a cut
   * stream never reads; the estimate is the one count_tokens answers.
   */
  estimatePromptTokens(request: ChatRequest): number;
}

/**
 * For a request with `reportStopSequence` and a stop list: streams from the next stage without the list and
 * cuts the answer where the first sequence is complete. Every other request is the next stage's own call.
 */
export function stopSequences(options: StopSequencesOptions): ChatMiddleware {
  return defineChatMiddleware((next: ChatBackend) => {
    const cut = (request: ChatRequest, stops: readonly string[], ctx: CallContext): AsyncIterable<ChatEvent> =>
      cutAtStopSequence(next.stream(withoutStopList(request), ctx), stops, () => options.estimatePromptTokens(request));
    return {
      wrapStream(request, ctx, nextStream) {
        const stops = stopsToMatch(request);
        return stops ? cut(request, stops, ctx) : nextStream(request, ctx);
      },
      // Streamed from the next stage even here, so that a long answer is cut (and its generation stopped) early.
      wrapComplete(request, ctx, nextComplete) {
        const stops = stopsToMatch(request);
        return stops ? collectResult(cut(request, stops, ctx)) : nextComplete(request, ctx);
      },
    };
  });
}

function stopsToMatch(request: ChatRequest): readonly string[] | undefined {
  if (request.reportStopSequence !== true) return undefined;
  const { stop } = request.sampling;
  return stop !== undefined && stop.length > 0 ? stop : undefined;
}

/** What goes upstream: no stop list (Ollama would strip the sequence unseen), and nothing left to report. */
function withoutStopList(request: ChatRequest): ChatRequest {
  const { reportStopSequence: _report, ...rest } = request;
  const { stop: _stop, ...sampling } = request.sampling;
  return { ...rest, sampling };
}

/**
 * Passes events on, holding back answer text that may be the start of a stop sequence. At a complete sequence
 * it sends the text before it and a `finish` naming it; leaving the loop ends the upstream iterator, which
 * cancels the generation. Reasoning and tool calls pass untouched (stop sequences apply to the answer text);
 * held text goes out before a tool call or a natural finish. A delta's logprobs travel only with a delta that
 * passes unchanged.
 */
async function* cutAtStopSequence(events: AsyncIterable<ChatEvent>, stops: readonly string[], promptTokens: () => number): AsyncGenerator<ChatEvent> {
  const matcher = createStopSequenceMatcher(stops);
  // One upstream delta per token (Ollama streams a line per token): the completion count of a cut answer.
  let deltas = 0;
  let stop: string | undefined;
  for await (const event of events) {
    if (event.type === 'text-delta') {
      deltas++;
      const step = matcher.push(event.text);
      if (step.text === event.text) yield event;
      else if (step.text !== '') yield { type: 'text-delta', text: step.text };
      if (step.stop === undefined) continue;
      stop = step.stop;
      break;
    }
    if (event.type === 'reasoning-delta') deltas++;
    else if (event.type === 'tool-call' || event.type === 'finish') {
      const held = matcher.flush();
      if (held !== '') yield { type: 'text-delta', text: held };
    }
    yield event;
  }
  if (stop === undefined) return;
  yield { type: 'finish', finishReason: 'stop', stopSequence: stop, usage: { promptTokens: promptTokens(), completionTokens: deltas } };
}

import type { ChatMessage, ToolCall } from './chat-request.js';
import type { ChatResult, FinishReason, TokenLogprob, Usage } from './chat-result.js';

/**
 * What a streamed generation yields, in order: one `start`, any deltas and tool calls, one `finish`.
 * Errors are thrown from the iterator, never modelled as events: http/sse.ts turns them into the final frame.
 */
export type ChatEvent =
  | { type: 'start'; model: string; createdAt: Date }
  | { type: 'text-delta'; text: string; logprobs?: TokenLogprob[] }
  | { type: 'reasoning-delta'; text: string }
  | { type: 'tool-call'; index: number; call: ToolCall }
  | { type: 'finish'; finishReason: FinishReason; usage: Usage; stopSequence?: string };

/** The result that events up to `finish` add up to; one fold for live streams, logs and single responses. */
class ResultFold {
  private model = '';
  private createdAt = new Date(0);
  private content = '';
  private reasoning = '';
  private readonly toolCalls: ToolCall[] = [];
  private logprobs: TokenLogprob[] | undefined;

  /** The result once `event` is the finish event, else undefined. */
  add(event: ChatEvent): ChatResult | undefined {
    switch (event.type) {
      case 'start':
        this.model = event.model;
        this.createdAt = event.createdAt;
        return undefined;
      case 'text-delta':
        this.content += event.text;
        if (event.logprobs) (this.logprobs ??= []).push(...event.logprobs);
        return undefined;
      case 'reasoning-delta':
        this.reasoning += event.text;
        return undefined;
      case 'tool-call':
        this.toolCalls.push(event.call);
        return undefined;
      case 'finish': {
        const message: ChatMessage = { role: 'assistant', content: this.content };
        if (this.reasoning) message.reasoning = this.reasoning;
        if (this.toolCalls.length > 0) message.toolCalls = this.toolCalls;
        const result: ChatResult = { model: this.model, createdAt: this.createdAt, message, finishReason: event.finishReason, usage: event.usage };
        if (this.logprobs) result.logprobs = this.logprobs;
        if (event.stopSequence !== undefined) result.stopSequence = event.stopSequence;
        return result;
      }
    }
  }
}

/** Events already at hand (a log, one response's events) → the result; undefined when there is no `finish`. */
export function foldEvents(events: Iterable<ChatEvent>): ChatResult | undefined {
  const fold = new ResultFold();
  for (const event of events) {
    const result = fold.add(event);
    if (result) return result;
  }
  return undefined;
}

/** Folds a finished event stream into the result a non-streamed call would have returned. */
export async function collectResult(events: AsyncIterable<ChatEvent>): Promise<ChatResult> {
  const fold = new ResultFold();
  for await (const event of events) {
    const result = fold.add(event);
    if (result) return result;
  }
  throw new Error('stream ended without a finish event');
}

/** Turns a stored result back into the events a live stream would have produced. */
export async function* replayEvents(result: ChatResult): AsyncGenerator<ChatEvent> {
  yield { type: 'start', model: result.model, createdAt: result.createdAt };
  const { message } = result;
  if (message.reasoning) yield { type: 'reasoning-delta', text: message.reasoning };
  if (message.content) {
    yield result.logprobs ? { type: 'text-delta', text: message.content, logprobs: result.logprobs } : { type: 'text-delta', text: message.content };
  }
  const calls = message.toolCalls ?? [];
  for (let index = 0; index < calls.length; index++) {
    yield { type: 'tool-call', index, call: calls[index]! };
  }
  yield result.stopSequence === undefined
    ? { type: 'finish', finishReason: result.finishReason, usage: result.usage }
    : { type: 'finish', finishReason: result.finishReason, usage: result.usage, stopSequence: result.stopSequence };
}

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
  | { type: 'finish'; finishReason: FinishReason; usage: Usage };

/** Folds a finished event stream into the result a non-streamed call would have returned. */
export async function collectResult(events: AsyncIterable<ChatEvent>): Promise<ChatResult> {
  let model = '';
  let createdAt = new Date(0);
  let content = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  let logprobs: TokenLogprob[] | undefined;
  for await (const event of events) {
    switch (event.type) {
      case 'start':
        model = event.model;
        createdAt = event.createdAt;
        break;
      case 'text-delta':
        content += event.text;
        if (event.logprobs) (logprobs ??= []).push(...event.logprobs);
        break;
      case 'reasoning-delta':
        reasoning += event.text;
        break;
      case 'tool-call':
        toolCalls.push(event.call);
        break;
      case 'finish': {
        const message: ChatMessage = { role: 'assistant', content };
        if (reasoning) message.reasoning = reasoning;
        if (toolCalls.length > 0) message.toolCalls = toolCalls;
        const result: ChatResult = { model, createdAt, message, finishReason: event.finishReason, usage: event.usage };
        if (logprobs) result.logprobs = logprobs;
        return result;
      }
    }
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
  yield { type: 'finish', finishReason: result.finishReason, usage: result.usage };
}

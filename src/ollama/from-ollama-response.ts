import { foldEvents, type ChatEvent } from '../core/chat-event.js';
import type { ToolCall } from '../core/chat-request.js';
import type { ChatResult, FinishReason, TokenLogprob, Usage } from '../core/chat-result.js';
import { UpstreamError } from '../core/errors.js';
import type { OllamaChatLineView, OllamaGenerateLineView, OllamaLineBase, OllamaLogprob, OllamaToolCallView } from './ollama-wire.js';
import { createThinkTagSplitter, type SplitText, type ThinkTagSplitter } from './think-tag-splitter.js';

export interface OllamaResponseContext {
  /** Id for a tool call that Ollama sent without one (servers before 0.12.10). */
  newId: () => string;
  /** Fallback when `created_at` is missing or unparsable. */
  now: () => Date;
  /** The model may reason inline without an opening `<think>` (see think-tag-splitter.ts). */
  inlineThinking?: boolean;
  /** The request said `parallelToolCalls: false`: only the first tool call is kept, the rest dropped. */
  singleToolCall?: boolean;
}

export type LineReducer<L> = (line: L) => ChatEvent[];

/** Explicit-state reducer over streamed /api/chat lines: each line → the events it produces, in order. */
export function createChatLineReducer(context: OllamaResponseContext): LineReducer<OllamaChatLineView> {
  const step = createLineStep(context);
  return (line) => step(line, line.message.content, line.message.thinking, line.message.tool_calls);
}

/** Same for /api/generate lines, whose text is `response` and reasoning the top-level `thinking`. */
export function createGenerateLineReducer(context: OllamaResponseContext): LineReducer<OllamaGenerateLineView> {
  const step = createLineStep(context);
  return (line) => step(line, line.response, line.thinking, line.tool_calls);
}

/** Non-streamed /api/chat body → ChatResult, through the same reducer so both paths agree. */
export function fromOllamaChatResponse(body: OllamaChatLineView, context: OllamaResponseContext): ChatResult {
  return toResult(createChatLineReducer(context)(body));
}

export function fromOllamaGenerateResponse(body: OllamaGenerateLineView, context: OllamaResponseContext): ChatResult {
  return toResult(createGenerateLineReducer(context)(body));
}

type LineStep = (
  line: OllamaLineBase,
  content: string | undefined,
  thinking: string | undefined,
  toolCalls: OllamaToolCallView[] | undefined,
) => ChatEvent[];

function createLineStep(context: OllamaResponseContext): LineStep {
  let isStarted = false;
  let isFinished = false;
  let hasThinkingField = false;
  let hasToolCalls = false;
  let nextToolIndex = 0;
  let splitter: ThinkTagSplitter | undefined;
  let isContentSeen = false;
  // Logprobs of tokens a parser held back (no text on their line yet) wait for the next text.
  let pendingLogprobs: TokenLogprob[] | undefined;

  // Decided at the first text: inline <think> handling only when Ollama is not using the `thinking` field.
  const contentSplitter = (): ThinkTagSplitter | undefined => {
    if (!isContentSeen) {
      isContentSeen = true;
      if (!hasThinkingField) splitter = createThinkTagSplitter({ inlineThinking: context.inlineThinking ?? false });
    }
    return splitter;
  };

  const routeText = (events: ChatEvent[], content: string | undefined, line: OllamaLineBase): void => {
    if (line.done) {
      const split = content || isContentSeen ? contentSplitter() : undefined;
      if (split) return pushSplit(events, split.finish(content ?? '', line.done_reason !== 'length'));
    } else if (content) {
      const split = contentSplitter();
      if (split) {
        pushSplit(events, split.push(content));
        // Hot path: once the answer is plain text, later lines skip the splitter.
        if (split.isPassthrough()) splitter = undefined;
        return;
      }
    }
    if (content) events.push({ type: 'text-delta', text: content });
  };

  return (line, content, thinking, toolCalls) => {
    if (isFinished) return [];
    const events: ChatEvent[] = [];
    if (!isStarted) {
      isStarted = true;
      events.push({ type: 'start', model: line.model, createdAt: parseCreatedAt(line.created_at, context.now) });
    }
    if (thinking) {
      hasThinkingField = true;
      events.push({ type: 'reasoning-delta', text: thinking });
    }
    const textStart = events.length;
    routeText(events, content, line);
    if (line.logprobs && line.logprobs.length > 0) {
      pendingLogprobs = attachLogprobs(events, textStart, line.logprobs, pendingLogprobs, thinking !== undefined && thinking !== '');
    }
    if (toolCalls) {
      for (const call of toolCalls) {
        if (context.singleToolCall && nextToolIndex > 0) break;
        hasToolCalls = true;
        events.push({ type: 'tool-call', index: nextToolIndex++, call: toToolCall(call, context) });
      }
    }
    if (line.done) {
      isFinished = true;
      events.push({
        type: 'finish',
        finishReason: toFinishReason(line.done_reason, hasToolCalls),
        usage: toUsage(line),
      });
    }
    return events;
  };
}

/** prompt_eval_count includes the cached part (Ollama counts CacheN + PromptN); the cached count is only copied when sent. */
function toUsage(line: OllamaLineBase): Usage {
  const usage: Usage = { promptTokens: line.prompt_eval_count ?? 0, completionTokens: line.eval_count ?? 0 };
  if (typeof line.prompt_eval_cached_count === 'number') usage.cachedTokens = line.prompt_eval_cached_count;
  return usage;
}

/**
 * Ollama reports logprobs for every generated token, reasoning included; OpenAI's `logprobs.content` covers the
 * answer only. A line's logprobs go onto its last text delta; a reasoning-only line's are dropped; a line with
 * neither (a parser holding tokens back) passes them on to the next text. Returns what is still pending.
 */
function attachLogprobs(
  events: ChatEvent[],
  textStart: number,
  logprobs: OllamaLogprob[],
  pending: TokenLogprob[] | undefined,
  isReasoning: boolean,
): TokenLogprob[] | undefined {
  const converted = logprobs.map(fromOllamaLogprob);
  for (let index = events.length - 1; index >= textStart; index--) {
    const event = events[index]!;
    if (event.type === 'text-delta') {
      event.logprobs = pending ? [...pending, ...converted] : converted;
      return undefined;
    }
  }
  if (isReasoning) return pending;
  return pending ? [...pending, ...converted] : converted;
}

function fromOllamaLogprob(entry: OllamaLogprob): TokenLogprob {
  const out: TokenLogprob = { token: entry.token, logprob: entry.logprob };
  if (entry.bytes) out.bytes = entry.bytes;
  if (entry.top_logprobs) {
    out.top = entry.top_logprobs.map((alt) => (alt.bytes ? { token: alt.token, logprob: alt.logprob, bytes: alt.bytes } : { token: alt.token, logprob: alt.logprob }));
  }
  return out;
}

function pushSplit(events: ChatEvent[], split: SplitText): void {
  if (split.reasoning) events.push({ type: 'reasoning-delta', text: split.reasoning });
  if (split.content) events.push({ type: 'text-delta', text: split.content });
}

/** Ollama sends arguments as an object; the canonical model keeps OpenAI's JSON string. */
function toToolCall(call: OllamaToolCallView, context: OllamaResponseContext): ToolCall {
  return {
    id: call.id || context.newId(),
    name: call.function.name,
    argumentsJson: JSON.stringify(call.function.arguments ?? {}),
  };
}

/** The native API has no tool_calls done reason: `stop` after tool calls means the model wants them run. */
function toFinishReason(doneReason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (doneReason === 'length') return 'length';
  return hasToolCalls ? 'tool_calls' : 'stop';
}

function parseCreatedAt(value: string | undefined, now: () => Date): Date {
  if (value === undefined) return now();
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? now() : date;
}

function toResult(events: ChatEvent[]): ChatResult {
  const result = events[0]?.type === 'start' ? foldEvents(events) : undefined;
  if (!result) throw new UpstreamError('Ollama returned an unfinished response (done is false).');
  return result;
}

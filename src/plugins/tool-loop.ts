// The server-side tool loop. One generator serves both modes: streams pass each round's events
// through live; non-streamed calls replay each round's result through it and fold the output.
import type { CallContext } from '../core/chat-backend.js';
import type { ChatEvent } from '../core/chat-event.js';
import type { ChatMessage, ChatRequest, ToolCall } from '../core/chat-request.js';
import type { FinishReason, Usage } from '../core/chat-result.js';
import type { ProxyPlugin } from './plugin.js';
import { callPlugin } from './plugin-call.js';

/** One call to the next backend. */
export type RoundRunner = (request: ChatRequest) => AsyncIterable<ChatEvent>;

export interface ToolLoopOptions {
  /** Tool name → the active plugin that runs it. */
  owners: ReadonlyMap<string, ProxyPlugin>;
  /** Rounds of server-side tool runs before the loop gives up (finish_reason 'length'). */
  maxToolRounds: number;
  ctx: CallContext;
}

interface Turn {
  content: string;
  reasoning: string;
  owned: ToolCall[];
  foreignCount: number;
  finishReason?: FinishReason;
  stopSequence?: string;
}

type FinishEvent = Extract<ChatEvent, { type: 'finish' }>;

/**
 * Calls the backend, runs the tool calls active plugins own, feeds their results back and calls again.
 * Emits one `start` and one `finish` overall (usage summed over rounds). A round that also calls client
 * tools ends the loop: the server-side calls are run (and shown), the client's calls go out unchanged.
 */
export async function* runToolLoop(runRound: RoundRunner, request: ChatRequest, options: ToolLoopOptions): AsyncGenerator<ChatEvent> {
  const usage: Usage = { promptTokens: 0, completionTokens: 0 };
  let current = request;
  let hasStarted = false;
  let foreignIndex = 0;
  for (let round = 0; ; round++) {
    const turn: Turn = { content: '', reasoning: '', owned: [], foreignCount: 0 };
    for await (const event of runRound(current)) {
      if (event.type === 'start') {
        if (!hasStarted) yield event;
        hasStarted = true;
      } else if (event.type === 'finish') {
        addUsage(usage, event.usage);
        turn.finishReason = event.finishReason;
        if (event.stopSequence !== undefined) turn.stopSequence = event.stopSequence;
      } else if (event.type === 'tool-call' && options.owners.has(event.call.name)) {
        turn.owned.push(event.call);
      } else {
        collect(turn, event);
        yield event.type === 'tool-call' ? { ...event, index: foreignIndex++ } : event;
      }
    }
    // A round without `finish` broke off upstream; the OpenAI layer reports that as an error.
    if (turn.finishReason === undefined) return;
    if (turn.owned.length === 0) return yield finish(turn.finishReason, usage, turn.stopSequence);
    if (round >= options.maxToolRounds) {
      options.ctx.logger.warn('plugin tool loop stopped at the round limit', { maxToolRounds: options.maxToolRounds });
      return yield finish(turn.foreignCount > 0 ? 'tool_calls' : 'length', usage);
    }
    const results: ChatMessage[] = [];
    for (const call of turn.owned) yield* runOwnedCall(call, options, results);
    if (turn.foreignCount > 0) return yield finish('tool_calls', usage);
    current = nextRound(current, [assistantTurn(turn), ...results]);
  }
}

/** A forced tool choice was honoured by the first round; forcing it again would loop until the limit. */
function nextRound(request: ChatRequest, added: ChatMessage[]): ChatRequest {
  const { toolChoice, ...rest } = request;
  const next: ChatRequest = { ...rest, messages: [...request.messages, ...added] };
  if (toolChoice === 'auto' || toolChoice === 'none') next.toolChoice = toolChoice;
  return next;
}

function collect(turn: Turn, event: ChatEvent): void {
  if (event.type === 'text-delta') turn.content += event.text;
  else if (event.type === 'reasoning-delta') turn.reasoning += event.text;
  else if (event.type === 'tool-call') turn.foreignCount++;
}

/** A stop sequence that ended the last round ends the whole answer (the client asked to be told which). */
function finish(finishReason: FinishReason, usage: Usage, stopSequence?: string): FinishEvent {
  const event: FinishEvent = { type: 'finish', finishReason, usage: { ...usage } };
  if (stopSequence !== undefined) event.stopSequence = stopSequence;
  return event;
}

function addUsage(total: Usage, add: Usage): void {
  total.promptTokens += add.promptTokens;
  total.completionTokens += add.completionTokens;
  if (add.reasoningTokens !== undefined) total.reasoningTokens = (total.reasoningTokens ?? 0) + add.reasoningTokens;
  if (add.cachedTokens !== undefined) total.cachedTokens = (total.cachedTokens ?? 0) + add.cachedTokens;
}

function assistantTurn(turn: Turn): ChatMessage {
  const message: ChatMessage = { role: 'assistant', content: turn.content, toolCalls: turn.owned };
  if (turn.reasoning) message.reasoning = turn.reasoning;
  return message;
}

async function* runOwnedCall(call: ToolCall, options: ToolLoopOptions, results: ChatMessage[]): AsyncGenerator<ChatEvent> {
  const plugin = options.owners.get(call.name)!;
  options.ctx.logger.debug('plugin tool call', { plugin: plugin.name, tool: call.name, arguments: call.argumentsJson });
  const output = await callPlugin(plugin, options.ctx, async (pluginCtx) => {
    const value = await plugin.runTool!(call, pluginCtx);
    if (typeof value !== 'string' && typeof value?.content !== 'string') throw new TypeError('runTool must return a string or { content }');
    return value;
  });
  const { content, display } = typeof output === 'string' ? { content: output, display: undefined } : output;
  if (display && display.text !== '') {
    yield display.channel === 'content' ? { type: 'text-delta', text: display.text } : { type: 'reasoning-delta', text: display.text };
  }
  results.push({ role: 'tool', content, toolCallId: call.id, toolName: call.name });
}

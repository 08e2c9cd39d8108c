// The default /api/chat behaviour as data: validation in Ollama's order, then the deterministic
// reply. Both the native route and the /v1 compat route render its outcome.
import type { ChatLinesSpec } from './chat-lines.js';
import {
  checkCapabilities,
  isFailure,
  parseGenerationRequest,
  type Failure,
  type GenerationRequest,
} from './generation-request.js';
import { sha256Hex } from './fake-model.js';
import type { ModelState } from './model-state.js';
import { estimateTokens, simulateReply } from './simulate-reply.js';
import { cachedPrefixTokens, fitContext, reportsCachedCount, type PromptPieces } from './prompt-cache.js';

export type ChatOutcome =
  | Failure
  | { kind: 'load' | 'unload'; requested: string }
  | { kind: 'reply'; request: GenerationRequest; spec: ChatLinesSpec; evaluatedTokens: number };

interface PlainMessage {
  role: string;
  content: string;
}

/** A cold load takes seconds; a warm model reports a few milliseconds. */
export const COLD_LOAD_NS = 1_843_290_115;

function parseMessages(value: unknown): PlainMessage[] | Failure {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    return { status: 400, message: 'json: cannot unmarshal value into Go struct field ChatRequest.messages of type []api.Message' };
  }
  return value.map((m: unknown) => {
    const { role = '', content = '' } = (typeof m === 'object' && m !== null ? m : {}) as Record<string, unknown>;
    return { role: String(role).toLowerCase(), content: typeof content === 'string' ? content : '' };
  });
}

function firstTool(tools: unknown[]): { name: string; parameters: unknown } | undefined {
  const fn = (tools[0] as { function?: { name?: unknown; parameters?: unknown } } | undefined)?.function;
  return typeof fn?.name === 'string' ? { name: fn.name, parameters: fn.parameters } : undefined;
}

/** The prompt as pieces: system prompt and tool schemas first, then each message with its template markup. */
function promptPieces(request: GenerationRequest, messages: PlainMessage[], tools: unknown[]): PromptPieces {
  const head = (request.model.system ?? '') + (tools.length > 0 ? JSON.stringify(tools) : '');
  const texts = [head, ...messages.map((m) => `${m.role}:${m.content}`)];
  const tokens = [head === '' ? 0 : estimateTokens(head), ...messages.map((m) => estimateTokens(m.content) + 3)];
  return { texts, tokens };
}

function buildSpec(request: GenerationRequest, messages: PlainMessage[], tools: unknown[], seq: number): ChatLinesSpec {
  const last = messages.at(-1);
  const lastUser = messages.findLast((m) => m.role === 'user')?.content ?? '';
  const tool = tools.length > 0 && last?.role === 'user' ? firstTool(tools) : undefined;
  const reply = simulateReply({
    answer: last?.role === 'tool' ? `Tool result: ${last.content}` : `Echo: ${lastUser}`,
    topic: lastUser,
    think: request.think,
    format: request.format,
    ...(tool ? { tool: { ...tool, id: `call_${sha256Hex(`${seq}:${tool.name}`).slice(0, 8)}` } } : {}),
    ...(request.numPredict === undefined ? {} : { numPredict: request.numPredict }),
  });
  const promptText = [request.model.system ?? '', ...messages.map((m) => m.content), tools.length > 0 ? JSON.stringify(tools) : ''];
  return {
    model: request.requested,
    thinking: reply.thinking,
    content: reply.content,
    toolCalls: reply.toolCalls,
    doneReason: reply.doneReason,
    // Template markup adds a few tokens per message on top of the text itself.
    promptEvalCount: estimateTokens(promptText.join('')) + 3 * messages.length,
    ...(request.logprobs ? { logprobs: request.logprobs } : {}),
  };
}

/** num_ctx, truncation and the KV cache applied to a reply spec (or the 400 of a prompt that cannot fit). */
function applyContext(request: GenerationRequest, pieces: PromptPieces, spec: ChatLinesSpec, state: ModelState, version: string): { spec: ChatLinesSpec; evaluatedTokens: number } | Failure {
  const fit = fitContext(request.model, pieces, state.contextFor(request.model, request.numCtx), request.truncate);
  if (fit.kind === 'refused') return { status: 400, message: fit.message };
  let used = pieces;
  let promptEvalCount = spec.promptEvalCount ?? 0;
  if (fit.kind === 'truncated') {
    used = { texts: pieces.texts.slice(fit.keptFrom), tokens: pieces.tokens.slice(fit.keptFrom) };
    promptEvalCount = Math.min(promptEvalCount, used.tokens.reduce((sum, n) => sum + n, 0), state.contextFor(request.model, request.numCtx));
  }
  const taken = state.kvSlots.take(request.model.name, (previous) => cachedPrefixTokens(previous, used));
  const cached = Math.min(taken.cached, Math.max(0, promptEvalCount - 1));
  taken.slot.prompt = used;
  state.countPrompt(promptEvalCount, cached);
  // prompt_eval_count is the whole prompt (cached tokens included), as Ollama reports it since 0.30.
  const reported = { ...spec, promptEvalCount, ...(reportsCachedCount(version) ? { promptEvalCachedCount: cached } : {}) };
  return { spec: reported, evaluatedTokens: promptEvalCount - cached };
}

/** `version` is the Ollama release the fake plays (what it reports depends on it). */
export function runChat(body: Record<string, unknown>, state: ModelState, version: string): ChatOutcome {
  const request = parseGenerationRequest(body, state, 'chat');
  if (isFailure(request)) return request;
  const messages = parseMessages(body['messages']);
  if (!Array.isArray(messages)) return messages;
  if (messages.length === 0 && request.keepAliveMs === 0) {
    state.unload(request.model.name);
    return { kind: 'unload', requested: request.requested };
  }
  const tools = Array.isArray(body['tools']) ? (body['tools'] as unknown[]) : [];
  // Go decodes tools into []api.Tool: an element that is not an object (null aside) is a 400 before anything reads it.
  const badTool = tools.find((tool) => tool !== null && (typeof tool !== 'object' || Array.isArray(tool)));
  if (badTool !== undefined) {
    const kind = Array.isArray(badTool) ? 'array' : typeof badTool === 'boolean' ? 'bool' : typeof badTool;
    return { status: 400, message: `json: cannot unmarshal ${kind} into Go struct field ChatRequest.tools of type api.Tool` };
  }
  const missing = checkCapabilities(request, 'chat', tools.length > 0 ? ['tools'] : []);
  if (missing) return missing;
  const wasLoaded = state.touch(request.model, request.keepAliveMs, request.numCtx);
  if (messages.length === 0) return { kind: 'load', requested: request.requested };
  const applied = applyContext(request, promptPieces(request, messages, tools), buildSpec(request, messages, tools, state.nextSeq()), state, version);
  if (isFailure(applied)) return applied;
  const { spec, evaluatedTokens } = applied;
  return { kind: 'reply', request, spec: wasLoaded ? spec : { ...spec, loadDurationNs: COLD_LOAD_NS }, evaluatedTokens };
}

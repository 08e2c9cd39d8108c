// POST /api/generate with no scripted reply: raw completion and fill-in-the-middle (`suffix`).
import { generateJson, generateLines, type GenerateLinesSpec } from './chat-lines.js';
import { decodeObject, pause, sendError, sendJson, sendNdjson, type Exchange } from './exchange.js';
import { checkCapabilities, isFailure, parseGenerationRequest, type Failure, type GenerationRequest } from './generation-request.js';
import type { HandlerContext } from './handler-context.js';
import { ollamaTimestamp } from './ollama-timestamp.js';
import { COLD_LOAD_NS } from './run-chat.js';
import { estimateTokens, simulateReply } from './simulate-reply.js';
import { reportsCachedCount } from './prompt-cache.js';

type GenerateOutcome =
  | Failure
  | { kind: 'load' | 'unload'; requested: string }
  | { kind: 'reply'; request: GenerationRequest; spec: GenerateLinesSpec };

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

function buildSpec(request: GenerationRequest, body: Record<string, unknown>, ctx: HandlerContext): GenerateLinesSpec {
  const prompt = str(body['prompt']);
  const suffix = str(body['suffix']);
  // With a suffix the template only sees Prompt and Suffix; the fake fills the hole with a marker.
  const reply = simulateReply({
    answer: suffix === '' ? `Echo: ${prompt}` : '<fill>',
    topic: prompt,
    think: request.think && suffix === '',
    format: request.format,
    ...(request.numPredict === undefined ? {} : { numPredict: request.numPredict }),
  });
  const promptEvalCount = estimateTokens(str(body['system']) + prompt + suffix);
  const evalCount = reply.thinking.length + reply.content.length;
  const context = Array.from({ length: promptEvalCount + evalCount }, (_, i) => 100 + i);
  // The KV cache: a prompt that starts like this model's previous one reuses it (counted since 0.33.3).
  const pieces = { texts: [str(body['system']) + prompt + suffix], tokens: [promptEvalCount] };
  const cachedOf = (previous: typeof pieces | undefined) =>
    previous?.texts[0] !== undefined && pieces.texts[0]!.startsWith(previous.texts[0]) ? Math.min(previous.tokens[0] ?? 0, promptEvalCount - 1) : 0;
  const taken = ctx.state.kvSlots.take(request.model.name, cachedOf);
  const cached = Math.max(0, taken.cached);
  taken.slot.prompt = pieces;
  ctx.state.countPrompt(promptEvalCount, cached);
  return {
    model: request.requested,
    thinking: reply.thinking,
    response: reply.content,
    doneReason: reply.doneReason,
    promptEvalCount,
    ...(reportsCachedCount(ctx.version) ? { promptEvalCachedCount: Math.max(0, cached) } : {}),
    ...(request.logprobs ? { logprobs: request.logprobs } : {}),
    ...(body['raw'] === true ? {} : { context }),
  };
}

function runGenerate(body: Record<string, unknown>, ctx: HandlerContext): GenerateOutcome {
  const request = parseGenerationRequest(body, ctx.state, 'generate');
  if (isFailure(request)) return request;
  if (body['raw'] === true && (str(body['template']) !== '' || str(body['system']) !== '' || Array.isArray(body['context']))) {
    return { status: 400, message: 'raw mode does not support template, system, or context' };
  }
  const isEmpty = str(body['prompt']) === '' && str(body['suffix']) === '';
  if (isEmpty && request.keepAliveMs === 0) {
    ctx.state.unload(request.model.name);
    return { kind: 'unload', requested: request.requested };
  }
  const missing = checkCapabilities(request, 'generate', str(body['suffix']) === '' ? [] : ['insert']);
  if (missing) return missing;
  const wasLoaded = ctx.state.touch(request.model, request.keepAliveMs, request.numCtx);
  if (isEmpty) return { kind: 'load', requested: request.requested };
  const spec = buildSpec(request, body, ctx);
  return { kind: 'reply', request, spec: wasLoaded ? spec : { ...spec, loadDurationNs: COLD_LOAD_NS } };
}

export async function handleGenerate(ex: Exchange, ctx: HandlerContext): Promise<void> {
  const body = decodeObject(ex, 'api.GenerateRequest');
  if (!body) return;
  const outcome = runGenerate(body, ctx);
  if (isFailure(outcome)) return sendError(ex, outcome.status, outcome.message);
  if (outcome.kind !== 'reply') {
    const created_at = ollamaTimestamp();
    return sendJson(ex, 200, { model: outcome.requested, created_at, response: '', done: true, done_reason: outcome.kind });
  }
  const { request, spec } = outcome;
  const lines = generateLines(spec);
  if (request.stream) {
    await sendNdjson(ex, lines, ctx.tokenDelayMs);
  } else {
    await pause(ex, ctx.tokenDelayMs * (lines.length - 1));
    sendJson(ex, 200, generateJson(spec));
  }
  if (request.keepAliveMs === 0) ctx.state.unload(request.model.name);
}

// POST /api/chat with no scripted reply: the deterministic model, streamed unless told otherwise.
import { chatJson, chatLines } from './chat-lines.js';
import { decodeObject, pause, sendError, sendJson, sendNdjson, type Exchange } from './exchange.js';
import { isFailure } from './generation-request.js';
import { ollamaTimestamp } from './ollama-timestamp.js';
import type { HandlerContext } from './handler-context.js';
import { runChat } from './run-chat.js';

export async function handleChat(ex: Exchange, ctx: HandlerContext): Promise<void> {
  const body = decodeObject(ex, 'api.ChatRequest');
  if (!body) return;
  const outcome = runChat(body, ctx.state, ctx.version);
  if (isFailure(outcome)) return sendError(ex, outcome.status, outcome.message);
  if (outcome.kind !== 'reply') {
    // Load and unload answer with one JSON object even when streaming was requested.
    const message = { role: 'assistant', content: '' };
    const created_at = ollamaTimestamp();
    return sendJson(ex, 200, { model: outcome.requested, created_at, message, done: true, done_reason: outcome.kind });
  }
  const { request, spec } = outcome;
  await pause(ex, ctx.promptTokenDelayMs * outcome.evaluatedTokens);
  const lines = chatLines(spec);
  if (request.stream) {
    await sendNdjson(ex, lines, ctx.tokenDelayMs);
  } else {
    await pause(ex, ctx.tokenDelayMs * (lines.length - 1));
    sendJson(ex, 200, chatJson(spec));
  }
  if (request.keepAliveMs === 0) ctx.state.unload(request.model.name);
}

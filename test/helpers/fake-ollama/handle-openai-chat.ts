// POST /v1/chat/completions, Ollama's OpenAI-compatible face: the body is rewritten into a native
// chat request (FromChatRequest), run by the same default model, and rendered back in compat shapes.
import { chatJson, chatLines } from './chat-lines.js';
import { pause, sendJson, sendStream, type Exchange } from './exchange.js';
import { isFailure, type Failure } from './generation-request.js';
import type { HandlerContext } from './handler-context.js';
import { runChat } from './run-chat.js';
import { toCompatCompletion, toCompatFrames } from './to-openai-compat.js';

type Body = Record<string, unknown>;

const ERROR_TYPES: Record<number, string> = { 400: 'invalid_request_error', 404: 'not_found_error' };

export function sendCompatError(ex: Exchange, status: number, message: string): void {
  const type = ERROR_TYPES[status] ?? 'api_error';
  sendJson(ex, status, { error: { message, type, param: null, code: null } });
}

const EFFORT_TO_THINK: Record<string, boolean | string> = {
  none: false, minimal: 'low', low: 'low', medium: 'medium', high: 'high', max: 'max', xhigh: 'max', ultra: 'max',
};

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part: { type?: unknown; text?: unknown }) => (part.type === 'text' ? String(part.text ?? '') : '')).join('');
}

function formatOf(responseFormat: unknown): unknown {
  const rf = (responseFormat ?? {}) as { type?: unknown; json_schema?: { schema?: unknown } };
  if (rf.type === 'json_object') return 'json';
  if (rf.type === 'json_schema') return rf.json_schema?.schema;
  return undefined;
}

function thinkOf(body: Body): { think?: boolean | string } | Failure {
  const effort = (body['reasoning'] as { effort?: unknown } | undefined)?.effort ?? body['reasoning_effort'];
  if (effort === undefined || effort === null) return {};
  const think = EFFORT_TO_THINK[String(effort)];
  if (think === undefined) return { status: 400, message: `invalid reasoning value: '${String(effort)}'` };
  return { think };
}

function toNativeBody(body: Body): Body | Failure {
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return { status: 400, message: "[] is too short - 'messages'" };
  const think = thinkOf(body);
  if (isFailure(think)) return think;
  const maxTokens = body['max_tokens'];
  return {
    model: body['model'],
    messages: messages.map((m: Body) => ({ role: m['role'], content: textOf(m['content']) })),
    options: typeof maxTokens === 'number' ? { num_predict: maxTokens } : {},
    format: formatOf(body['response_format']),
    ...(Array.isArray(body['tools']) ? { tools: body['tools'] } : {}),
    ...think,
  };
}

export async function handleOpenAIChat(ex: Exchange, ctx: HandlerContext): Promise<void> {
  if (!ex.isJson || typeof ex.body !== 'object' || ex.body === null) return sendCompatError(ex, 400, 'invalid request body');
  const body = ex.body as Body;
  const native = toNativeBody(body);
  if (isFailure(native)) return sendCompatError(ex, native.status, native.message);
  const outcome = runChat(native, ctx.state, ctx.version);
  if (isFailure(outcome)) return sendCompatError(ex, outcome.status, outcome.message);
  if (outcome.kind !== 'reply') return sendCompatError(ex, 500, 'unexpected load request');
  const meta = { id: `chatcmpl-${ctx.state.nextSeq() % 999}`, created: Math.floor(Date.now() / 1000), model: outcome.request.requested };
  await pause(ex, ctx.promptTokenDelayMs * outcome.evaluatedTokens);
  const lines = chatLines(outcome.spec);
  if (body['stream'] === true) {
    const includeUsage = (body['stream_options'] as { include_usage?: unknown } | undefined)?.include_usage === true;
    await sendStream(ex, toCompatFrames(lines, meta, includeUsage), { contentType: 'text/event-stream', delayMs: ctx.tokenDelayMs });
  } else {
    await pause(ex, ctx.tokenDelayMs * (lines.length - 1));
    sendJson(ex, 200, toCompatCompletion(chatJson(outcome.spec), meta));
  }
  if (outcome.request.keepAliveMs === 0) ctx.state.unload(outcome.request.model.name);
}

// POST /api/embed (batch, L2-normalised) and the legacy POST /api/embeddings (one prompt, raw
// vector). Vectors are derived from a hash of the text, so equal texts embed equally.
import { decodeObject, sendError, sendJson, type Exchange } from './exchange.js';
import { doneMetrics } from './chat-lines.js';
import type { FakeModel } from './fake-model.js';
import { sha256Hex } from './fake-model.js';
import type { HandlerContext } from './handler-context.js';
import { parseKeepAlive } from './keep-alive.js';
import { COLD_LOAD_NS } from './run-chat.js';
import { estimateTokens } from './simulate-reply.js';

function rawVector(text: string, dims: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dims; block++) {
    const bytes = Buffer.from(sha256Hex(`${block}:${text}`), 'hex');
    for (const byte of bytes) if (values.length < dims) values.push(byte / 127.5 - 1);
  }
  return values;
}

function normalize(vector: number[]): number[] {
  const norm = Math.hypot(...vector) || 1;
  return vector.map((v) => Math.fround(v / norm));
}

interface Target {
  model: FakeModel;
  keepAliveMs: number;
}

/** The model, or undefined after answering the way Ollama's scheduler does. */
function findTarget(ex: Exchange, ctx: HandlerContext, body: Record<string, unknown>): Target | undefined {
  const name = body['model'];
  if (typeof name !== 'string' || name === '') return void sendError(ex, 400, 'model is required');
  const model = ctx.state.find(name);
  if (!model) return void sendError(ex, 404, `model "${name}" not found, try pulling it first`);
  const keepAlive = parseKeepAlive(body['keep_alive']);
  if ('error' in keepAlive) return void sendError(ex, 400, keepAlive.error);
  return { model, keepAliveMs: keepAlive.ms };
}

function parseInput(input: unknown): string[] | undefined {
  if (input === undefined || input === null || input === '') return [];
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((item) => typeof item === 'string')) return input as string[];
  return undefined;
}

export function handleEmbed(ex: Exchange, ctx: HandlerContext): void {
  const body = decodeObject(ex, 'api.EmbedRequest');
  const target = body && findTarget(ex, ctx, body);
  if (!body || !target) return;
  const { model } = target;
  const inputs = parseInput(body['input']);
  if (!inputs) return sendError(ex, 400, 'invalid input type');
  const wasLoaded = ctx.state.touch(model, target.keepAliveMs, undefined);
  if (inputs.length === 0) return sendJson(ex, 200, { model: body['model'], embeddings: [] });
  const tokens = inputs.reduce((n, text) => n + estimateTokens(text), 0);
  if (body['truncate'] === false && inputs.some((text) => estimateTokens(text) > model.contextLength)) {
    return sendError(ex, 400, 'the input length exceeds the context length');
  }
  const dimensions = typeof body['dimensions'] === 'number' ? body['dimensions'] : model.embeddingLength;
  const dims = Math.min(Math.max(1, Math.trunc(dimensions)), model.embeddingLength);
  const embeddings = inputs.map((text) => normalize(rawVector(text, dims)));
  const { total_duration, load_duration } = doneMetrics(tokens, 0, wasLoaded ? undefined : COLD_LOAD_NS);
  sendJson(ex, 200, { model: body['model'], embeddings, total_duration, load_duration, prompt_eval_count: tokens });
}

export function handleEmbeddings(ex: Exchange, ctx: HandlerContext): void {
  const body = decodeObject(ex, 'api.EmbeddingRequest');
  const target = body && findTarget(ex, ctx, body);
  if (!body || !target) return;
  ctx.state.touch(target.model, target.keepAliveMs, undefined);
  const prompt = typeof body['prompt'] === 'string' ? body['prompt'] : '';
  if (prompt === '') return sendJson(ex, 200, { embedding: [] });
  // The legacy endpoint is not normalised; scale so callers can tell the two apart.
  sendJson(ex, 200, { embedding: rawVector(prompt, target.model.embeddingLength).map((v) => v * 3) });
}

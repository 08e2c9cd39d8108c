// `fast` mode for the benchmark: chat, generate and /v1 chat answer from prebuilt bodies (cached
// per model/length/shape), skipping validation and the simulated model. The wire format is the same.
import { chatJson, chatLines, generateJson, generateLines } from './chat-lines.js';
import { sendRaw, sendStream, toNdjson, type Exchange } from './exchange.js';
import { toCompatCompletion, toCompatFrames } from './to-openai-compat.js';

const WORDS = ['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', '.'];
const DEFAULT_TOKENS = 16;
const MAX_CACHED = 256;

type Body = Record<string, unknown>;
/** One body, pre-encoded: a single JSON document or a list of stream chunks. */
type Prebuilt = { json: string } | { chunks: string[]; contentType: string };

function tokenCount(ex: Exchange, body: Body): number {
  const header = Number(ex.req.headers['x-fake-tokens']);
  const options = (body['options'] ?? {}) as Body;
  const requested = Number.isFinite(header) && header > 0 ? header : (options['num_predict'] ?? body['max_tokens']);
  return typeof requested === 'number' && requested > 0 ? Math.trunc(requested) : DEFAULT_TOKENS;
}

function build(path: string, model: string, stream: boolean, n: number, includeUsage: boolean): Prebuilt {
  const tokens = Array.from({ length: n }, (_, i) => WORDS[i % WORDS.length] ?? '');
  const spec = { model, promptEvalCount: 16 };
  if (path === '/api/generate') {
    const gen = { ...spec, response: tokens };
    return stream ? { chunks: generateLines(gen).map(toNdjson), contentType: 'application/x-ndjson' } : { json: JSON.stringify(generateJson(gen)) };
  }
  const chat = { ...spec, content: tokens };
  if (path === '/api/chat') {
    return stream ? { chunks: chatLines(chat).map(toNdjson), contentType: 'application/x-ndjson' } : { json: JSON.stringify(chatJson(chat)) };
  }
  const meta = { id: 'chatcmpl-1', created: Math.floor(Date.now() / 1000), model };
  return stream
    ? { chunks: toCompatFrames(chatLines(chat), meta, includeUsage), contentType: 'text/event-stream' }
    : { json: JSON.stringify(toCompatCompletion(chatJson(chat), meta)) };
}

export const FAST_ROUTES = new Set(['/api/chat', '/api/generate', '/v1/chat/completions']);

export function createFastReplies(): (ex: Exchange, delayMs: number) => Promise<void> {
  const cache = new Map<string, Prebuilt>();
  return async (ex, delayMs) => {
    const body = (typeof ex.body === 'object' && ex.body !== null ? ex.body : {}) as Body;
    const isCompat = ex.path.startsWith('/v1/');
    // Native routes stream unless told otherwise; /v1 only when asked.
    const stream = isCompat ? body['stream'] === true : body['stream'] !== false;
    const includeUsage = (body['stream_options'] as Body | undefined)?.['include_usage'] === true;
    const model = typeof body['model'] === 'string' ? body['model'] : 'fake';
    const n = tokenCount(ex, body);
    const key = `${ex.path}|${model}|${stream}|${n}|${includeUsage}`;
    let prebuilt = cache.get(key);
    if (!prebuilt) {
      if (cache.size >= MAX_CACHED) cache.clear();
      prebuilt = build(ex.path, model, stream, n, includeUsage);
      cache.set(key, prebuilt);
    }
    if ('json' in prebuilt) return sendRaw(ex, 200, prebuilt.json, { 'Content-Type': 'application/json; charset=utf-8' });
    const chunks = delayMs > 0 ? prebuilt.chunks : [prebuilt.chunks.join('')];
    await sendStream(ex, chunks, { contentType: prebuilt.contentType, delayMs });
  };
}

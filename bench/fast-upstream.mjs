// A fast fake Ollama for the benchmark: instant, fixed replies in Ollama's real wire format.
//   POST /api/chat            JSON (stream:false) or NDJSON, one line per token, then the done line with metrics
//   POST /v1/chat/completions chat.completion JSON or SSE chunks + `data: [DONE]` (what Portkey's ollama provider calls)
//   GET  /api/tags, /api/version, /api/ps, /
// Reply length: `options.num_predict` (native) or `max_tokens` / `max_completion_tokens` (/v1); default 8 tokens.
// With BENCH_TOKEN_DELAY_MS > 0 a stream sends its first line and then nothing until the client goes away
// (idle streams: a model generating very slowly).
// Bodies are prebuilt per (model, length) so the upstream's own cost stays as close to zero as JSON parsing allows.
// Run as a child: `node bench/fast-upstream.mjs [port]`; prints `listening <port>` when ready. This is the
// `--upstream=bench` alternative to the project's fake (test/helpers/fake-ollama.ts in fast mode, the default).
import { createServer } from 'node:http';

const MODEL = 'deepseek-v3.1:671b';
const CREATED_AT = '2025-09-12T08:15:01.104335725Z';
const CREATED = 1757664901;
const DEFAULT_TOKENS = 8;
const IS_HOLDING = Number(process.env.BENCH_TOKEN_DELAY_MS ?? 0) > 0;
const WORDS = ['Hello', ' there', '!', ' The', ' answer', ' is', ' forty', '-two', '.', ' Anything', ' else', '?'];

const tokenText = (i) => WORDS[i % WORDS.length];

const doneMetrics = (n) => ({
  total_duration: 2143087417,
  load_duration: 14682137,
  prompt_eval_count: 12,
  prompt_eval_duration: 256114500,
  eval_count: n,
  eval_duration: n * 21750000,
});

const memo = new Map();
function memoized(key, build) {
  let value = memo.get(key);
  if (value === undefined) {
    value = build();
    memo.set(key, value);
  }
  return value;
}

function ndjsonBody(model, n) {
  return memoized(`ndjson:${model}:${n}`, () => {
    const lines = [];
    for (let i = 0; i < n; i++) {
      const line = { model, created_at: CREATED_AT, message: { role: 'assistant', content: tokenText(i) }, done: false };
      lines.push(`${JSON.stringify(line)}\n`);
    }
    const done = { model, created_at: CREATED_AT, message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', ...doneMetrics(n) };
    lines.push(`${JSON.stringify(done)}\n`);
    return lines;
  });
}

function joined(n) {
  let text = '';
  for (let i = 0; i < n; i++) text += tokenText(i);
  return text;
}

function chatJson(model, n) {
  return memoized(`json:${model}:${n}`, () => {
    const body = { model, created_at: CREATED_AT, message: { role: 'assistant', content: joined(n) }, done: true, done_reason: 'stop', ...doneMetrics(n) };
    return JSON.stringify(body);
  });
}

const usage = (n) => ({ prompt_tokens: 12, completion_tokens: n, total_tokens: 12 + n });

function completionJson(model, n) {
  return memoized(`v1json:${model}:${n}`, () =>
    JSON.stringify({
      id: 'chatcmpl-417',
      object: 'chat.completion',
      created: CREATED,
      model,
      system_fingerprint: 'fp_ollama',
      choices: [{ index: 0, message: { role: 'assistant', content: joined(n) }, finish_reason: 'stop' }],
      usage: usage(n),
    }),
  );
}

function sseBody(model, n) {
  return memoized(`sse:${model}:${n}`, () => {
    const chunk = (delta, finish) => ({
      id: 'chatcmpl-417',
      object: 'chat.completion.chunk',
      created: CREATED,
      model,
      system_fingerprint: 'fp_ollama',
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const frames = [];
    for (let i = 0; i < n; i++) frames.push(`data: ${JSON.stringify(chunk({ role: 'assistant', content: tokenText(i) }, null))}\n\n`);
    frames.push(`data: ${JSON.stringify(chunk({ role: 'assistant', content: '' }, 'stop'))}\n\n`);
    frames.push('data: [DONE]\n\n');
    return frames;
  });
}

/** One line (or frame) per chunked-encoding chunk, as Ollama flushes per token; corked so they share syscalls. */
function writeFrames(res, contentType, frames) {
  res.writeHead(200, { 'Content-Type': contentType });
  res.cork();
  for (const frame of frames) res.write(frame);
  res.end();
  res.uncork();
}

function sendJson(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function hold(res, contentType, frames) {
  res.writeHead(200, { 'Content-Type': contentType });
  res.write(frames[0]);
}

function readJson(req, onBody) {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = undefined;
    }
    onBody(body);
  });
}

function handleChat(res, body) {
  if (typeof body !== 'object' || body === null) return sendJson(res, 400, '{"error":"invalid JSON body"}');
  const model = typeof body.model === 'string' ? body.model : MODEL;
  const n = body.options?.num_predict ?? DEFAULT_TOKENS;
  if (body.stream === false) return sendJson(res, 200, chatJson(model, n));
  if (IS_HOLDING) return hold(res, 'application/x-ndjson', ndjsonBody(model, n));
  writeFrames(res, 'application/x-ndjson', ndjsonBody(model, n));
}

function handleOpenAiChat(res, body) {
  if (typeof body !== 'object' || body === null) return sendJson(res, 400, '{"error":{"message":"invalid JSON body","type":"invalid_request_error"}}');
  const model = typeof body.model === 'string' ? body.model : MODEL;
  const n = body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_TOKENS;
  if (body.stream !== true) return sendJson(res, 200, completionJson(model, n));
  if (IS_HOLDING) return hold(res, 'text/event-stream', sseBody(model, n));
  writeFrames(res, 'text/event-stream', sseBody(model, n));
}

const TAGS = JSON.stringify({
  models: [MODEL].map((name) => ({
    name,
    model: name,
    modified_at: '2025-06-02T10:14:03.512431677Z',
    size: 404430188519,
    digest: 'a'.repeat(64),
    details: { parent_model: '', format: 'gguf', family: 'deepseek2', families: ['deepseek2'], parameter_size: '671.0B', quantization_level: 'Q4_K_M' },
  })),
});

const server = createServer((req, res) => {
  const path = req.url?.split('?')[0];
  if (req.method === 'POST' && path === '/api/chat') return readJson(req, (body) => handleChat(res, body));
  if (req.method === 'POST' && path === '/v1/chat/completions') return readJson(req, (body) => handleOpenAiChat(res, body));
  req.resume();
  if (path === '/api/tags') return sendJson(res, 200, TAGS);
  if (path === '/api/version') return sendJson(res, 200, '{"version":"0.12.10"}');
  if (path === '/api/ps') return sendJson(res, 200, '{"models":[]}');
  if (path === '/') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    return res.end('Ollama is running');
  }
  sendJson(res, 404, '{"error":"404 page not found"}');
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.requestTimeout = 0;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));

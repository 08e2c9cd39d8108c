// Streamed load: N concurrent clients, each requesting one stream after another until the time is up.
// Measures time to first byte (first body bytes), time to first token (first frame carrying text) and
// tokens/s, counting tokens from Ollama NDJSON lines, OpenAI chat chunks, Responses text/reasoning delta events
// or Anthropic text/thinking deltas. Every frame is parsed, so a stream that ends without its end (done line,
// [DONE], response.completed, message_stop) or carries an error is counted as failed.
import { Agent, request } from 'node:http';
import { percentile } from './load.mjs';

/** Per SSE protocol: what one parsed `data:` object means (a token, the end, an error). */
const SSE_READERS = {
  sse(chunk, state) {
    if (chunk.error) state.error = chunk.error.message ?? 'error frame';
    const delta = chunk.choices?.[0]?.delta;
    if (delta?.content || delta?.reasoning_content) state.tokens++;
  },
  responses(event, state) {
    if (event.type === 'response.output_text.delta' || event.type === 'response.reasoning_summary_text.delta') state.tokens++;
    else if (event.type === 'response.completed') state.finished = true;
    else if (event.type === 'response.failed' || event.type === 'error') state.error = event.response?.error?.message ?? event.message ?? event.type;
  },
  anthropic(event, state) {
    if (event.type === 'content_block_delta' && (event.delta.type === 'text_delta' || event.delta.type === 'thinking_delta')) state.tokens++;
    else if (event.type === 'message_stop') state.finished = true;
    else if (event.type === 'error') state.error = event.error?.message ?? 'error event';
  },
};

function frameCounter(protocol) {
  const separator = protocol === 'ndjson' ? '\n' : '\n\n';
  let pending = '';
  const state = { tokens: 0, finished: false, error: undefined };
  const onFrame = (frame) => {
    if (protocol !== 'ndjson') {
      // `: ping` comments and Anthropic's ping events carry no token; `event:` lines precede `data:`.
      const at = frame.startsWith('data: ') ? 0 : frame.indexOf('\ndata: ') + 1;
      if (at === 0 && !frame.startsWith('data: ')) return;
      const data = frame.slice(at + 6);
      if (data === '[DONE]') return void (state.finished = true);
      return SSE_READERS[protocol](JSON.parse(data), state);
    }
    const line = JSON.parse(frame);
    if (line.error) state.error = line.error;
    if (line.done === true) state.finished = true;
    else if (line.message?.content || line.message?.thinking) state.tokens++;
  };
  return {
    state,
    /** Feeds text; returns true when this chunk produced the first token. */
    push(text) {
      const before = state.tokens;
      pending += text;
      let at;
      while ((at = pending.indexOf(separator)) >= 0) {
        const frame = pending.slice(0, at);
        pending = pending.slice(at + separator.length);
        if (frame.trim() !== '') onFrame(frame);
      }
      return before === 0 && state.tokens > 0;
    },
  };
}

/** One streamed request. Resolves with timings in ms and the token count; never rejects. */
export function streamOnce({ agent, url, path, body, headers, protocol }) {
  const started = performance.now();
  const counter = frameCounter(protocol);
  const outcome = { ttfb: NaN, ttft: NaN, total: NaN, tokens: 0, ok: false, error: undefined };
  return new Promise((resolve) => {
    const target = new URL(path, url);
    const payload = Buffer.from(body);
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': payload.length, ...headers } },
      (res) => {
        res.setEncoding('utf8');
        if (res.statusCode !== 200) outcome.error = `HTTP ${res.statusCode}`;
        res.on('data', (text) => {
          if (Number.isNaN(outcome.ttfb)) outcome.ttfb = performance.now() - started;
          try {
            if (counter.push(text)) outcome.ttft = performance.now() - started;
          } catch (error) {
            outcome.error ??= `bad frame: ${error.message}`;
          }
        });
        res.on('end', () => {
          outcome.total = performance.now() - started;
          outcome.tokens = counter.state.tokens;
          outcome.error ??= counter.state.error ?? (counter.state.finished ? undefined : 'stream ended without terminator');
          outcome.ok = outcome.error === undefined;
          resolve(outcome);
        });
        res.on('error', (error) => resolve({ ...outcome, error: error.message }));
      },
    );
    req.on('error', (error) => resolve({ ...outcome, error: error.message }));
    req.end(payload);
  });
}

async function runStreams({ target, concurrency, seconds }) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const results = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) results.push(await streamOnce({ ...target, agent }));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return { results, elapsed };
}

/**
 * target: { url, path, body, headers, protocol: 'ndjson' | 'sse' }. Warm-up run first (discarded).
 * tokens/s counts tokens of successful streams over the wall time of the measured run. isReplay: see below.
 */
export async function measureStreams({ target, concurrency, seconds, warmupSeconds, expectedTokens, isReplay = false }) {
  if (warmupSeconds > 0) await runStreams({ target, concurrency, seconds: warmupSeconds });
  const { results, elapsed } = await runStreams({ target, concurrency, seconds });
  // A cache replay may carry the whole answer in one delta: any complete stream with text counts as expectedTokens.
  if (isReplay) for (const r of results) if (r.ok && r.tokens > 0) r.tokens = expectedTokens;
  const ok = results.filter((r) => r.ok && (expectedTokens === undefined || r.tokens === expectedTokens));
  const sorted = (key) => Float64Array.from(ok.map((r) => r[key])).sort();
  const ttfb = sorted('ttfb');
  const ttft = sorted('ttft');
  const total = sorted('total');
  const tokens = ok.reduce((sum, r) => sum + r.tokens, 0);
  const bad = results.find((r) => !r.ok) ?? results.find((r) => expectedTokens !== undefined && r.tokens !== expectedTokens);
  const firstError = bad && (bad.error ?? `${bad.tokens} tokens instead of ${expectedTokens}`);
  return {
    concurrency,
    seconds: elapsed,
    streams: ok.length,
    failed: results.length - ok.length,
    ...(firstError ? { firstError } : {}),
    tokensPerSec: tokens / elapsed,
    ttfbP50: percentile(ttfb, 50),
    ttfbP99: percentile(ttfb, 99),
    ttftP50: percentile(ttft, 50),
    ttftP99: percentile(ttft, 99),
    streamP50: percentile(total, 50),
  };
}

/** Opens `count` streams that the upstream keeps open; resolves once each has its first bytes (or timed out). */
export async function openIdleStreams({ target, count, timeoutMs }) {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const address = new URL(target.path, target.url);
  const options = { host: address.hostname, port: address.port, path: address.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', ...target.headers } };
  const requests = [];
  let opened = 0;
  let failed = 0;
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    const settle = () => {
      if (opened + failed === count) {
        clearTimeout(timer);
        resolve();
      }
    };
    for (let i = 0; i < count; i++) {
      const req = request(options, (res) => {
        res.once('data', () => {
          opened++;
          settle();
        });
        res.on('error', () => {});
      });
      req.on('error', () => {
        failed++;
        settle();
      });
      req.end(target.body);
      requests.push(req);
    }
  });
  return {
    opened,
    failed,
    close() {
      for (const req of requests) req.destroy();
      agent.destroy();
    },
  };
}

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { fuzzCase, seededRng, type FuzzCase } from './fuzz-bodies.js';

// Keeps issue 12's input-handling holes closed: seeded hostile bodies against every JSON route, through real
// HTTP. No 5xx, every error in the route's own protocol shape, memory bounded. FUZZ_COUNT (default 2000) bodies
// in all, spread over the routes; FUZZ_SEED picks the sequence (printed on failure to reproduce it).
// A new route (Responses, Anthropic Messages) is one entry in ROUTES.

type Shape = 'openai' | 'ollama' | 'anthropic';

interface FuzzRoute {
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  shape: Shape;
  /** A valid body; the fuzzer mutates it. */
  valid: Record<string, unknown>;
  /** Whose key sends it: the admin (default) or a key limited to the ollama scope and `deepseek-*` models. */
  key?: 'admin' | 'restricted';
}

const MODEL = 'deepseek-v3.1:671b';
const messages = [{ role: 'user', content: 'hi' }];
const ROUTES: FuzzRoute[] = [
  { method: 'POST', path: '/v1/chat/completions', shape: 'openai', valid: { model: MODEL, messages, max_tokens: 5, stream: false, temperature: 0.5, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }] } },
  { method: 'POST', path: '/v1/completions', shape: 'openai', valid: { model: MODEL, prompt: 'hi', max_tokens: 5 } },
  { method: 'POST', path: '/v1/embeddings', shape: 'openai', valid: { model: 'nomic-embed-text', input: ['a', 'b'] } },
  { method: 'POST', path: '/v1/responses', shape: 'openai', valid: { model: MODEL, input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }], max_output_tokens: 5, tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }] } },
  { method: 'POST', path: '/v1/responses/compact', shape: 'openai', valid: { model: MODEL, input: 'hi' } },
  { method: 'POST', path: '/v1/messages', shape: 'anthropic', valid: { model: MODEL, max_tokens: 5, system: 'be brief', messages, tools: [{ name: 'f', input_schema: { type: 'object' } }] } },
  { method: 'POST', path: '/v1/messages/count_tokens', shape: 'anthropic', valid: { model: MODEL, messages } },
  { method: 'POST', path: '/api/v1/chat', shape: 'openai', valid: { model: MODEL, prompt: 'hi', session_id: 'fuzz' } },
  { method: 'PUT', path: '/api/v1/context/fuzz-session', shape: 'openai', valid: { strategy: 'sliding', memory_size: 1024 } },
  { method: 'POST', path: '/api/v1/keys', shape: 'openai', valid: { name: 'fuzz', scopes: ['chat'], metadata: { team: 'x' } } },
  { method: 'PATCH', path: '/api/v1/keys/key_doesnotexist', shape: 'openai', valid: { name: 'renamed', metadata: { a: 1 } } },
  { method: 'POST', path: '/api/v1/auth', shape: 'openai', valid: { api_key: 'sk-fuzz-master-key-0123456789', ttl_seconds: 60 } },
  { method: 'POST', path: '/api/chat', shape: 'ollama', valid: { model: MODEL, messages, stream: false } },
  { method: 'POST', path: '/api/generate', shape: 'ollama', valid: { model: MODEL, prompt: 'hi', stream: false } },
  { method: 'POST', path: '/api/embed', shape: 'ollama', valid: { model: 'nomic-embed-text', input: 'hi' } },
  // The native allow-list check parses these bodies itself.
  { method: 'POST', path: '/api/chat', shape: 'ollama', valid: { model: MODEL, messages, stream: false }, key: 'restricted' },
  { method: 'POST', path: '/api/show', shape: 'ollama', valid: { model: MODEL }, key: 'restricted' },
  { method: 'PUT', path: '/api/v1/logs', shape: 'openai', valid: { level: 'error' } },
];

const KEY = 'sk-fuzz-master-key-0123456789';
const COUNT = Number(process.env.FUZZ_COUNT ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 8);

let fake: FakeOllama;
let app: TestApp;
let restrictedKey = '';

beforeAll(async () => {
  fake = await startFakeOllama({ record: false });
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, BODY_LIMIT: '1mb', LOG_LEVEL: 'error', RATE_LIMIT_ENABLED: 'false' } });
  const created = await fetch(`${app.url}/api/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'fuzz-restricted', scopes: ['ollama'], models: ['deepseek-*'] }),
  });
  restrictedKey = ((await created.json()) as { secret: string }).secret;
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
});

/** Why the response breaks the rules, or undefined when it keeps them. */
function problem(shape: Shape, status: number, contentType: string, text: string): string | undefined {
  if (status >= 500) return `status ${status}`;
  if (status < 400) return undefined;
  if (!contentType.includes('application/json')) return `error without a JSON body (${contentType})`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'error body is not JSON';
  }
  const error = (body as { error?: unknown }).error;
  if (shape === 'ollama') return typeof error === 'string' ? undefined : 'not Ollama-shaped ({"error":"…"})';
  if (shape === 'anthropic') {
    const typed = body as { type?: unknown; error?: { type?: unknown; message?: unknown } };
    return typed.type === 'error' && typeof typed.error?.type === 'string' && typeof typed.error.message === 'string' ? undefined : 'not Anthropic-shaped';
  }
  const openai = error as { message?: unknown; type?: unknown } | undefined;
  return typeof openai?.message === 'string' && typeof openai.type === 'string' && 'param' in openai && 'code' in openai ? undefined : 'not OpenAI-shaped';
}

/**
 * One request on its own connection (no keep-alive): a connection the server drops is then this body's fault,
 * never a reuse race with an idle timeout on a loaded machine.
 */
/** Statuses seen per route path and key, to show the bodies got past authentication. */
const seen = new Map<string, Set<number>>();

function send(route: FuzzRoute, fuzz: FuzzCase): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(`${app.url}${route.path}`, {
      method: route.method,
      agent: false,
      headers: { authorization: `Bearer ${route.key === 'restricted' ? restrictedKey : KEY}`, 'content-length': String(fuzz.body.length), connection: 'close', ...fuzz.headers },
    });
    req.on('response', (res) => {
      const id = `${route.method} ${route.path} ${route.key ?? 'admin'}`;
      seen.set(id, (seen.get(id) ?? new Set()).add(res.statusCode ?? 0));
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(problem(route.shape, res.statusCode ?? 0, String(res.headers['content-type'] ?? ''), Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(fuzz.body);
  });
}

describe(`fuzzing every JSON route (seed ${SEED}, ${COUNT} bodies)`, () => {
  it('never answers 5xx, always in the protocol shape, with memory bounded and no prototype pollution', { timeout: 240_000 }, async () => {
    const rng = seededRng(SEED);
    const cases = Array.from({ length: COUNT }, (_, index) => {
      const route = ROUTES[index % ROUTES.length]!;
      return { index, route, fuzz: fuzzCase(rng, route.valid) };
    });
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const { index, route, fuzz } = cases[next++]!;
        const started = performance.now();
        const found = await send(route, fuzz).catch((error: unknown) => `request failed: ${String(error)}`);
        if (process.env.FUZZ_TIMES) durations.push([performance.now() - started, `#${index} ${route.path} [${fuzz.label}]`]);
        if (found) failures.push(`#${index} ${route.method} ${route.path} [${fuzz.label}]: ${found}`);
        if (index % 100 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }
    };
    const durations: [number, string][] = [];
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (process.env.FUZZ_TIMES) console.log(durations.sort((a, b) => b[0] - a[0]).slice(0, 15).map(([ms, what]) => `${ms.toFixed(0)} ms ${what}`).join('\n'));
    expect(failures, `FUZZ_SEED=${SEED} FUZZ_COUNT=${COUNT}`).toEqual([]);
    // Every route answered something besides 401: the fuzz reached the parsers, not only the authenticator.
    expect([...seen].filter(([, statuses]) => [...statuses].every((status) => status === 401)).map(([id]) => id)).toEqual([]);
    expect(seen.size).toBe(ROUTES.length);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    // The app runs in this process: a body that made it hold or copy unbounded data shows here.
    expect(rssPeak - rssBefore).toBeLessThan(512 * 1024 * 1024);
    // And it still serves.
    expect((await send(ROUTES[0]!, { label: 'valid', body: Buffer.from(JSON.stringify(ROUTES[0]!.valid)), headers: { 'content-type': 'application/json' } }))).toBeUndefined();
  });
});

// The backend against a real local HTTP server (port 0): undici timeouts, abort propagation, failover.
// The fuller scenarios through the app live in test/integration with the shared fake Ollama.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../../../src/core/chat-backend.js';
import type { ChatEvent } from '../../../src/core/chat-event.js';
import { silentLogger } from '../../../src/core/logger.js';
import { ANONYMOUS } from '../../../src/core/principal.js';
import { createFleet } from '../../../src/fleet/host-registry.js';
import { createOllamaBackend, type OllamaBackend } from '../../../src/ollama/ollama-backend.js';
import { fixtureText } from './ollama-fixtures.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface TestServer {
  url: string;
  requests: { method: string; path: string; body: unknown }[];
  closed: Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function startServer(handler: Handler): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', body: body ? (JSON.parse(body) as unknown) : undefined });
      res.on('close', () => markClosed());
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, closed };
}

async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function sequentialIds(): () => string {
  let counter = 0;
  return () => `call_test${++counter}`;
}

function backendFor(urls: string[], timeouts: Partial<Record<'headersTimeoutMs' | 'bodyTimeoutMs', number>> = {}, newId: (() => string) | null = sequentialIds()): OllamaBackend {
  const backend = createOllamaBackend({
    pool: createFleet({ hosts: urls.map((url) => ({ url })), read: async () => ({ models: [] }), refreshMs: 0, cooldownMs: 5_000 }),
    connectTimeoutMs: 2_000,
    headersTimeoutMs: timeouts.headersTimeoutMs ?? 10_000,
    bodyTimeoutMs: timeouts.bodyTimeoutMs ?? 10_000,
    ...(newId ? { newId } : {}),
  });
  cleanups.push(() => backend.close());
  return backend;
}

function ctx(signal = new AbortController().signal): CallContext {
  return { signal, requestId: 'req-1', principal: ANONYMOUS, logger: silentLogger, outcome: {} };
}

const chatRequest = { model: 'deepseek-v3.1:671b', messages: [{ role: 'user' as const, content: 'Hi' }], sampling: {} };

const ndjson = (fixture: string): Handler => (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const text = fixtureText(fixture);
  // Cut in the middle of a line (and of a multi-byte character) to exercise the decoder over a socket.
  const bytes = Buffer.from(text, 'utf8');
  res.write(bytes.subarray(0, 150));
  setImmediate(() => res.end(bytes.subarray(150)));
};

const jsonError = (status: number, error: string, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error }));
};

async function collect(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('createOllamaBackend', () => {
  it('streams /api/chat and sends the translated body with stream: true', async () => {
    const server = await startServer(ndjson('chat-basic.ndjson'));
    const events = await collect(backendFor([server.url]).stream(chatRequest, ctx()));
    expect(events.map((event) => event.type)).toEqual(['start', 'text-delta', 'text-delta', 'text-delta', 'text-delta', 'text-delta', 'finish']);
    // The model's traits are read once from /api/show (this server cannot answer it: the call goes on without them).
    expect(server.requests).toEqual([
      { method: 'POST', path: '/api/show', body: { model: 'deepseek-v3.1:671b' } },
      { method: 'POST', path: '/api/chat', body: { model: 'deepseek-v3.1:671b', messages: [{ role: 'user', content: 'Hi' }], stream: true, truncate: false } },
    ]);
  });

  it('gives a tool call Ollama sent without an id an OpenAI-shaped one', async () => {
    const line = { model: 'm', created_at: '2025-01-01T00:00:00Z', message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: {} } }] }, done: true, done_reason: 'stop' };
    const server = await startServer((_req, res) => res.end(JSON.stringify(line)));
    const result = await backendFor([server.url], {}, null).complete(chatRequest, ctx());
    expect(result.message.toolCalls?.[0]?.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
  });

  it('completes /api/chat without streaming', async () => {
    const server = await startServer((_req, res) => res.end(fixtureText('chat-basic.json')));
    const result = await backendFor([server.url]).complete(chatRequest, ctx());
    expect(result.message.content).toBe('Bonjour ! Le café coûte 3 € 🙂 — 咖啡.');
    expect((server.requests.find((request) => request.path === '/api/chat')?.body as { stream: boolean }).stream).toBe(false);
  });

  it('maps a 404 for the model to model_not_found', async () => {
    const server = await startServer(jsonError(404, "model 'deepseek-v3.1:671b' not found"));
    await expect(backendFor([server.url]).complete(chatRequest, ctx())).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('maps a 503 to upstream_busy with Retry-After', async () => {
    const server = await startServer(jsonError(503, 'server busy, please try again.', { 'retry-after': '4' }));
    await expect(collect(backendFor([server.url]).stream(chatRequest, ctx()))).rejects.toMatchObject({
      status: 503,
      headers: { 'retry-after': '4' },
    });
  });

  it('throws the mid-stream error after the events before it', async () => {
    const server = await startServer(ndjson('chat-error-midstream.ndjson'));
    const seen: ChatEvent[] = [];
    const run = async () => {
      for await (const event of backendFor([server.url]).stream(chatRequest, ctx())) seen.push(event);
    };
    await expect(run()).rejects.toMatchObject({ status: 502, message: expect.stringContaining('unexpected EOF') });
    expect(seen.map((event) => event.type)).toEqual(['start', 'reasoning-delta', 'text-delta']);
  });

  it('reports a stream that ends without its done line', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      res.end(fixtureText('chat-basic.ndjson').split('\n').slice(0, 2).join('\n'));
    });
    await expect(collect(backendFor([server.url]).stream(chatRequest, ctx()))).rejects.toMatchObject({ status: 502 });
  });

  it('cancels the upstream request when the client aborts', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write(`${fixtureText('chat-basic.ndjson').split('\n')[0]}\n`); // then hang, like a slow model
    });
    const controller = new AbortController();
    const iterator = backendFor([server.url]).stream(chatRequest, ctx(controller.signal))[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'start' });
    await iterator.next(); // first text delta
    const pending = iterator.next();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await server.closed;
  });

  it('closes the upstream request when the consumer stops early', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write(`${fixtureText('chat-basic.ndjson').split('\n')[0]}\n`);
    });
    for await (const event of backendFor([server.url]).stream(chatRequest, ctx())) {
      if (event.type === 'text-delta') break;
    }
    await server.closed;
  });

  it('maps a model that never answers to upstream_timeout (headers timeout)', async () => {
    const server = await startServer(() => undefined);
    const backend = backendFor([server.url], { headersTimeoutMs: 100 });
    await expect(backend.complete(chatRequest, ctx())).rejects.toMatchObject({ status: 504, code: 'upstream_timeout' });
  });

  it('maps a stream that goes silent to upstream_timeout (body timeout)', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write(`${fixtureText('chat-basic.ndjson').split('\n')[0]}\n`);
    });
    const backend = backendFor([server.url], { bodyTimeoutMs: 100 });
    await expect(collect(backend.stream(chatRequest, ctx()))).rejects.toMatchObject({ status: 504 });
  });

  it('moves on to the next host when one refuses the connection', async () => {
    const server = await startServer((_req, res) => res.end(fixtureText('tags.json')));
    const backend = backendFor([await refusedUrl(), server.url]);
    expect((await backend.listModels(ctx())).map((model) => model.id)).toContain('deepseek-r1:8b');
  });

  it('reports upstream_unavailable when no host accepts the connection', async () => {
    const backend = backendFor([await refusedUrl()]);
    await expect(backend.listModels(ctx())).rejects.toMatchObject({ status: 502, code: 'upstream_unavailable' });
  });

  it('probes every host', async () => {
    const server = await startServer((_req, res) => res.end('{"version":"0.12.6"}'));
    const down = await refusedUrl();
    const results = await backendFor([server.url, down]).probe(new AbortController().signal);
    expect(results).toEqual([
      { url: server.url, ok: true, version: '0.12.6' },
      { url: down, ok: false, error: expect.any(String) },
    ]);
  });

  it('embeds a batch through /api/embed', async () => {
    const server = await startServer((_req, res) => res.end(fixtureText('embed.json')));
    const result = await backendFor([server.url]).embed({ model: 'nomic-embed-text', inputs: ['a', 'b'] }, ctx());
    expect(result).toMatchObject({ model: 'nomic-embed-text', promptTokens: 8 });
    expect(result.embeddings).toHaveLength(2);
    expect(server.requests[0]).toMatchObject({ path: '/api/embed', body: { input: ['a', 'b'] } });
  });

  it('describes a model through /api/show', async () => {
    const server = await startServer((_req, res) => res.end(fixtureText('show.json')));
    expect(await backendFor([server.url]).showModel('deepseek-r1:8b', new AbortController().signal)).toMatchObject({
      contextLength: 131072,
      capabilities: ['completion', 'thinking'],
    });
  });
});

import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { leakedSecrets, startAccessApp, type AccessApp } from '../helpers/access-app.js';
import { hang, replyNdjson, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { dropSchemas, keyStoreBackends } from '../helpers/key-store-backends.js';

// Ollama's native API through the proxy: authentication and scopes, the model-store routes reserved to
// admin, Host rewriting (the fake refuses foreign Host headers like Ollama does), untouched and unbuffered
// bodies and streams, abort propagation, the ollama npm client, and several hosts.

const [sqlite] = await keyStoreBackends();
afterAll(dropSchemas);

let fake: FakeOllama;
let t: AccessApp;
let ollamaKey: string;
let adminKey: string;
let chatKey: string;

beforeAll(async () => {
  fake = await startFakeOllama();
  t = await startAccessApp(sqlite!, { fake });
  ollamaKey = (await t.createKey({ name: 'native', scopes: ['ollama'] })).secret;
  adminKey = (await t.createKey({ name: 'ops', scopes: ['ollama', 'admin'] })).secret;
  chatKey = (await t.createKey({ name: 'chat', scopes: ['chat'] })).secret;
});
afterAll(async () => {
  await t.close();
  await fake.close();
});
beforeEach(() => fake.reset());

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** node:http, because fetch will not let a test choose the Host header. */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const request = httpRequest(`${url}${path}`, { method, headers: { ...headers, ...length } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const native = (path: string, init: RequestInit & { key?: string } = {}) => {
  const headers = new Headers(init.headers);
  if (init.key) headers.set('authorization', `Bearer ${init.key}`);
  return fetch(`${t.app.url}${path}`, { ...init, headers });
};

describe('authentication and scopes', () => {
  it('refuses a request without a key with a 401 in Ollama\'s error shape, and never reaches Ollama', async () => {
    const response = await native('/api/tags');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/API key/) });
    expect(fake.requests).toEqual([]);
  });

  it('needs the ollama scope', async () => {
    const response = await native('/api/tags', { key: chatKey });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toContain("'ollama'");
  });

  it('proxies a read with the ollama scope, answering exactly what Ollama answers', async () => {
    const proxied = await native('/api/tags', { key: ollamaKey });
    const direct = await fetch(`${fake.url}/api/tags`);
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get('content-type')).toBe(direct.headers.get('content-type'));
    expect(await proxied.text()).toBe(await direct.text());
  });

  it.each([
    ['POST', '/api/pull'], ['POST', '/api/push'], ['POST', '/api/create'], ['POST', '/api/copy'], ['DELETE', '/api/delete'],
    ['POST', '/api/blobs/sha256:abc'], ['HEAD', '/api/blobs/sha256:abc'],
    ['POST', '/api//pull'], ['POST', '/API/pull'], ['POST', '/api/%70ull'], ['POST', '/api/pull/'], ['POST', '/api/tags/../pull'],
  ])('keeps %s %s (the model store) for admin keys', async (method, path) => {
    const response = await raw(t.app.url, method, path, { authorization: `Bearer ${ollamaKey}`, 'content-type': 'application/json' }, method === 'HEAD' ? undefined : '{"model":"x"}');
    expect(response.status).toBe(403);
    if (method !== 'HEAD') expect((JSON.parse(response.text) as { error: string }).error).toContain("'admin'");
    expect(fake.requests).toEqual([]);
  });

  it('lets an admin key pull, with the progress stream passed through', async () => {
    const response = await native('/api/pull', { key: adminKey, method: 'POST', body: JSON.stringify({ model: 'qwen3:8b' }) });
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as { status: string });
    expect(lines.at(-1)).toEqual({ status: 'success' });
    expect(fake.requests.map((request) => request.path)).toEqual(['/api/pull']);
  });

  it('leaves /api/v1/* to the proxy itself: never forwarded', async () => {
    const response = await native('/api/v1/nothing-here', { key: ollamaKey });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(fake.requests).toEqual([]);
  });
});

describe('what reaches Ollama', () => {
  it('rewrites a foreign Host header and forwards neither our credentials nor the browser Origin', async () => {
    const response = await raw(t.app.url, 'GET', '/api/version', {
      host: 'proxy.example.com', authorization: `Bearer ${ollamaKey}`, origin: 'https://app.example.com',
    });
    expect(response.status).toBe(200);
    const seen = fake.requests[0]!.headers;
    expect(seen.host).toBe(new URL(fake.url).host);
    expect(seen.authorization).toBeUndefined();
    expect(seen.origin).toBeUndefined();
    expect(seen['x-api-key']).toBeUndefined();
  });

  it('closes the upstream request when the client aborts while Ollama is still working', async () => {
    fake.script('/api/chat', hang());
    const controller = new AbortController();
    const pending = native('/api/chat', { key: ollamaKey, method: 'POST', body: JSON.stringify({ model: 'deepseek-r1:7b', messages: [] }), signal: controller.signal });
    await vi.waitFor(() => expect(fake.requests.some((request) => request.path === '/api/chat')).toBe(true));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(fake.closedRequests).toBe(1));
  });

  it('closes the upstream stream when the client aborts mid-stream', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => ({ model: 'deepseek-r1:7b', message: { role: 'assistant', content: `t${i}` }, done: false }));
    fake.script('/api/chat', replyNdjson(lines, { delayMs: 20 }));
    const controller = new AbortController();
    const response = await native('/api/chat', { key: ollamaKey, method: 'POST', body: JSON.stringify({ model: 'deepseek-r1:7b', messages: [] }), signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await vi.waitFor(() => expect(fake.closedRequests).toBe(1));
  });
});

describe('bodies and streams', () => {
  let upstream: Server;
  let received: Buffer[];
  let release: () => void;
  let viaUpstream: AccessApp;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push(Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write('{"response":"first"}\n');
        new Promise<void>((resolve) => (release = resolve)).then(() => res.end('{"response":"é ✓","done":true}\n'), () => undefined);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    viaUpstream = await startAccessApp(sqlite!, { fake, env: { OLLAMA_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` } });
  });
  afterAll(async () => {
    await viaUpstream.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });
  beforeEach(() => {
    received = [];
  });

  it('passes the request body byte for byte and streams each NDJSON line as soon as Ollama sends it', async () => {
    const body = '{"model":"m",   "prompt":"é ✓ \\u00e9",\n  "options":{"num_ctx":8192}, "z":[1,2.50]}';
    const response = await fetch(`${viaUpstream.app.url}/api/generate`, {
      method: 'POST', headers: { authorization: `Bearer ${viaUpstream.secrets[0]}`, 'content-type': 'application/json' }, body,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const reader = response.body!.getReader();
    // Ollama has not finished (it waits for release): the first line must already be here.
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('{"response":"first"}\n');
    release();
    let rest = '';
    const decoder = new TextDecoder();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value, { stream: true });
    expect(rest).toBe('{"response":"é ✓","done":true}\n');
    expect(received).toHaveLength(1);
    expect(received[0]!.equals(Buffer.from(body))).toBe(true);
  });
});

describe('the ollama npm client with a bearer header', () => {
  const client = (key: string) => new Ollama({ host: t.app.url, headers: { Authorization: `Bearer ${key}` } });

  it('lists models', async () => {
    const { models } = await client(ollamaKey).list();
    expect(models.map((model) => model.name)).toContain('deepseek-r1:7b');
  });

  it('streams a chat', async () => {
    const stream = await client(ollamaKey).chat({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'hello' }], stream: true });
    let content = '';
    let done = false;
    for await (const part of stream) {
      content += part.message.content;
      done ||= part.done;
    }
    expect(content).toContain('hello');
    expect(done).toBe(true);
  });

  it('is refused a pull without admin, with a readable message', async () => {
    await expect(client(ollamaKey).pull({ model: 'qwen3:8b' })).rejects.toMatchObject({
      status_code: 403,
      error: expect.stringContaining("'admin'"),
    });
  });

  it('may pull with an admin key', async () => {
    const stream = await client(adminKey).pull({ model: 'qwen3:8b', stream: true });
    const statuses: string[] = [];
    for await (const part of stream) statuses.push(part.status);
    expect(statuses.at(-1)).toBe('success');
  });
});

describe('several Ollama hosts', () => {
  let deadUrl: string;
  beforeAll(async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
  });

  it('retries a read on the next host and then keeps away from the dead one', async () => {
    const multi = await startAccessApp(sqlite!, { fake, env: { OLLAMA_URL: `${deadUrl},${fake.url}` } });
    try {
      const key = multi.secrets[0]!;
      const tags = await fetch(`${multi.app.url}/api/tags`, { headers: { authorization: `Bearer ${key}` } });
      expect(tags.status).toBe(200);
      const show = await fetch(`${multi.app.url}/api/show`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: '{"model":"qwen3:8b"}' });
      expect(show.status).toBe(200);
    } finally {
      await multi.close();
    }
  });

  it('retries a model-routed request with a body on the next host when the first is dead (the body was read to pick the host)', async () => {
    const multi = await startAccessApp(sqlite!, { fake, env: { OLLAMA_URL: `${deadUrl},${fake.url}` } });
    try {
      const show = () => fetch(`${multi.app.url}/api/show`, { method: 'POST', headers: { authorization: `Bearer ${multi.secrets[0]}` }, body: '{"model":"qwen3:8b"}' });
      const first = await show();
      expect(first.status).toBe(200);
      expect(((await first.json()) as { details?: unknown }).details).toBeDefined();
      expect((await show()).status).toBe(200);
    } finally {
      await multi.close();
    }
  });

});

it('never writes a key into the logs', () => {
  expect(leakedSecrets(t.app.logs, t.secrets)).toEqual([]);
});

import { request as httpRequest } from 'node:http';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAccessApp, type AccessApp } from '../helpers/access-app.js';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { dropSchemas, keyStoreBackends } from '../helpers/key-store-backends.js';

// Model allow-lists on Ollama's native API (issue 12, defect 2): a key restricted to `deepseek-r1:*` may not
// reach another model through /api/*, sees only its models in /api/tags and /api/ps, and what it may send
// reaches Ollama byte for byte.

const [sqlite] = await keyStoreBackends();
afterAll(dropSchemas);

let fake: FakeOllama;
let t: AccessApp;
let restricted: string;
let restrictedAdmin: string;
let open: string;

beforeAll(async () => {
  fake = await startFakeOllama();
  t = await startAccessApp(sqlite!, { fake });
  restricted = (await t.createKey({ name: 'r1-only', scopes: ['ollama'], models: ['deepseek-r1:*'] })).secret;
  restrictedAdmin = (await t.createKey({ name: 'r1-ops', scopes: ['ollama', 'admin'], models: ['deepseek-r1:*'] })).secret;
  open = (await t.createKey({ name: 'any-model', scopes: ['ollama'] })).secret;
});
afterAll(async () => {
  await t.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const send = (key: string, method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
  fetch(`${t.app.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body }) });

describe('routes that name a model', () => {
  it.each([
    ['POST', '/api/chat', { model: 'qwen3:8b', messages: [{ role: 'user', content: 'hi' }], stream: false }],
    ['POST', '/api/generate', { model: 'qwen3:8b', prompt: 'hi', stream: false }],
    ['POST', '/api/embed', { model: 'nomic-embed-text', input: 'hi' }],
    ['POST', '/api/embeddings', { model: 'nomic-embed-text', prompt: 'hi' }],
    ['POST', '/api/show', { model: 'qwen3:8b' }],
    ['POST', '/api/show', { name: 'qwen3:8b' }],
    ['POST', '/API/Chat', { model: 'qwen3:8b', messages: [] }],
    ['POST', '/api/./chat/', { model: 'qwen3:8b', messages: [] }],
  ] as [string, string, { model?: string; name?: string }][])('refuses %s %s for a model outside the allow-list with a 403 in Ollama\'s shape, before Ollama', async (method, path, body) => {
    const response = await send(restricted, method, path, JSON.stringify(body));
    expect(response.status).toBe(403);
    const answer = (await response.json()) as { error: string };
    expect(answer).toEqual({ error: expect.stringContaining(`may not use the model '${body.model ?? body.name}'`) as string });
    expect(fake.requests).toEqual([]);
  });

  it.each([
    ['a case variant of the field, as Go reads it', '{"model":"deepseek-r1:7b","Model":"qwen3:8b","messages":[]}'],
    ['the older `name` field beside `model`', '{"model":"deepseek-r1:7b","name":"qwen3:8b","messages":[]}'],
    ['the long-s spelling of a field (Go folds ſ to s)', '{"ſource":"qwen3:8b","destination":"deepseek-r1:copy"}'],
  ])('checks every field Ollama may read as the model: %s', async (_what, body) => {
    const path = body.includes('ource') ? '/api/copy' : '/api/chat';
    const response = await send(path === '/api/copy' ? restrictedAdmin : restricted, 'POST', path, body);
    expect(response.status).toBe(403);
    expect(fake.requests).toEqual([]);
  });

  it('applies to the admin routes too (pull, copy, delete) for an admin key with an allow-list', async () => {
    for (const [method, path, body] of [
      ['POST', '/api/pull', { model: 'qwen3:8b' }],
      ['POST', '/api/copy', { source: 'deepseek-r1:7b', destination: 'qwen3:mine' }],
      ['DELETE', '/api/delete', { model: 'qwen3:8b' }],
      ['POST', '/api/create', { model: 'deepseek-r1:mine', from: 'qwen3:8b' }],
    ] as const) {
      const response = await send(restrictedAdmin, method, path, JSON.stringify(body));
      expect(response.status, `${method} ${path}`).toBe(403);
    }
    expect(fake.requests).toEqual([]);
  });

  it('forwards an allowed request byte for byte and streams the answer', async () => {
    const body = '{ "model" : "deepseek-r1:7b", "messages":[{"role":"user","content":"héllo"}], "options":{"seed":18446744073709551615} }';
    const response = await send(restricted, 'POST', '/api/chat', body);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as { done: boolean });
    expect(lines.at(-1)!.done).toBe(true);
    expect(fake.requests).toHaveLength(1);
    const seen = fake.requests[0]!;
    expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(JSON.stringify(seen.body)).toBe(JSON.stringify(JSON.parse(body)));
  });

  it('forwards an allowed chunked body (no content-length) with its length set', async () => {
    const body = JSON.stringify({ model: 'deepseek-r1:7b', prompt: 'hi', stream: false });
    const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = httpRequest(`${t.app.url}/api/generate`, { method: 'POST', headers: { authorization: `Bearer ${restricted}`, 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      request.on('error', reject);
      request.write(body.slice(0, 10));
      request.end(body.slice(10));
    });
    expect(response.status).toBe(200);
    expect((JSON.parse(response.text) as { done: boolean }).done).toBe(true);
    expect(fake.requests[0]!.headers['transfer-encoding']).toBeUndefined();
    expect(fake.requests[0]!.body).toEqual(JSON.parse(body));
  });

  it('refuses what it cannot check: invalid JSON, a non-string model, a compressed body, an unknown route', async () => {
    expect((await send(restricted, 'POST', '/api/chat', '{"model":')).status).toBe(400);
    expect((await send(restricted, 'POST', '/api/chat', '{"model":["qwen3:8b"]}')).status).toBe(400);
    expect((await send(restricted, 'POST', '/api/chat', '[]')).status).toBe(400);
    const gzipped = await send(restricted, 'POST', '/api/chat', 'x', { 'content-encoding': 'gzip' });
    expect(gzipped.status).toBe(400);
    expect(((await gzipped.json()) as { error: string }).error).toMatch(/gzip/);
    const unknown = await send(restricted, 'POST', '/api/some-future-route', '{"model":"qwen3:8b"}');
    expect(unknown.status).toBe(403);
    expect(fake.requests).toEqual([]);
  });

  it('leaves keys without an allow-list untouched (an unknown route still reaches Ollama)', async () => {
    const response = await send(open, 'POST', '/api/chat', JSON.stringify({ model: 'qwen3:8b', messages: [], stream: false }));
    expect(response.status).toBe(200);
    expect((await send(open, 'POST', '/api/some-future-route', '{}')).status).toBe(404);
    expect(fake.requests.map((request) => request.path)).toEqual(['/api/chat', '/api/some-future-route']);
  });

  it('refuses the ollama npm client a model outside the allow-list (ResponseError 403)', async () => {
    const client = new Ollama({ host: t.app.url, headers: { authorization: `Bearer ${restricted}` } });
    await expect(client.chat({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status_code: 403 });
    const allowed = await client.chat({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'hi' }] });
    expect(allowed.done).toBe(true);
  });
});

describe('model listings', () => {
  it('lists only allowed models in /api/tags', async () => {
    const all = (await (await send(open, 'GET', '/api/tags')).json()) as { models: { name: string }[] };
    expect(all.models.map((model) => model.name)).toContain('qwen3:8b');
    const response = await send(restricted, 'GET', '/api/tags');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const listed = (await response.json()) as { models: { name: string; model: string }[] };
    expect(listed.models.map((model) => model.name).sort()).toEqual(all.models.map((model) => model.name).filter((name) => name.startsWith('deepseek-r1:')).sort());
    expect(listed.models[0]).toEqual(all.models.find((model) => model.name === listed.models[0]!.name));
  });

  it('lists only allowed loaded models in /api/ps', async () => {
    for (const model of ['deepseek-r1:7b', 'qwen3:8b']) {
      expect((await send(open, 'POST', '/api/generate', JSON.stringify({ model, prompt: 'hi', stream: false }))).status).toBe(200);
    }
    const all = (await (await send(open, 'GET', '/api/ps')).json()) as { models: { name: string }[] };
    expect(all.models.map((model) => model.name).sort()).toEqual(['deepseek-r1:7b', 'qwen3:8b']);
    const listed = (await (await send(restricted, 'GET', '/api/ps')).json()) as { models: { name: string }[] };
    expect(listed.models.map((model) => model.name)).toEqual(['deepseek-r1:7b']);
  });

  it('answers version and other model-free routes as before', async () => {
    const response = await send(restricted, 'GET', '/api/version');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ version: expect.any(String) as string });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthenticationError } from '../../src/core/errors.js';
import { ALL_SCOPES, type Scope } from '../../src/core/principal.js';
import type { Authenticator } from '../../src/http/middleware/authenticate.js';
import type { KvStore } from '../../src/stores/kv-store.js';
import { createMemoryKvStore } from '../../src/stores/memory-kv-store.js';
import { hang, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// POST /v1/responses over HTTP: paths, scopes, errors, accounting, abort, and the stored conversation at rest.

const MODEL = 'deepseek-v3.1:671b';
const ENCRYPTION_KEY = 'a'.repeat(64);
const scopesOf: Record<string, Scope[]> = { full: [...ALL_SCOPES], reader: ['models:read'] };
const authenticator: Authenticator = (credential) => {
  const scopes = credential === undefined ? undefined : scopesOf[credential];
  if (credential === undefined || !scopes) throw new AuthenticationError();
  return { id: credential, kind: 'api-key', scopes };
};
let fake: FakeOllama;
let app: TestApp;
let sessionStore: KvStore;
beforeAll(async () => {
  fake = await startFakeOllama();
  sessionStore = createMemoryKvStore();
  // A small memory window: long stored conversations are fitted by the sliding strategy.
  app = await startTestApp({
    ollamaUrl: fake.url,
    env: { ENCRYPTION_KEY, MEMORY_SIZE: '120', MEMORY_WINDOW_SIZE: '120' },
    overrides: { authenticator, sessionStore },
  });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

function post(path: string, body: unknown, key = 'full', signal?: AbortSignal): Promise<Response> {
  return fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}
const sentMessages = () => (fake.requests.filter((r) => r.path === '/api/chat').at(-1)!.body as { messages: { content: string }[] }).messages.map((m) => m.content);

describe('POST /v1/responses over HTTP', () => {
  it('is also served at /responses for base URLs without /v1', async () => {
    const response = await post('/responses', { model: MODEL, input: 'no v1', reasoning: { effort: 'none' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ object: 'response', status: 'completed' });
  });

  it('needs the chat scope, refused in OpenAI error shape', async () => {
    const response = await post('/v1/responses', { model: MODEL, input: 'hi' }, 'reader');
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'forbidden' } });
  });

  it('answers a bad body with a 400 in OpenAI error shape', async () => {
    const response = await post('/v1/responses', { model: MODEL, input: [{ role: 'robot', content: 'x' }] });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { message: expect.stringContaining("input[0].role"), type: 'invalid_request_error', param: 'input[0].role', code: 'invalid_value' } });
  });

  it('answers an unknown stored response with a 404 in OpenAI error shape', async () => {
    const response = await fetch(`${app.url}/v1/responses/resp_nope`, { headers: { authorization: 'Bearer full' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found', message: "No response with id 'resp_nope' was found." } });
  });

  it('accounts tokens in the access log like chat', async () => {
    await post('/v1/responses', { model: MODEL, input: 'count me', reasoning: { effort: 'none' }, stream: true }).then((r) => r.text());
    const line = app.logs.map((text) => JSON.parse(text) as Record<string, unknown>).findLast((entry) => entry.route === '/v1/responses');
    expect(line).toMatchObject({ status: 200, model: MODEL, stream: true, promptTokens: expect.any(Number), completionTokens: expect.any(Number) });
  });

  it('cancels the upstream generation when the client disconnects mid-stream', async () => {
    fake.script('/api/chat', hang());
    const controller = new AbortController();
    const pending = post('/v1/responses', { model: MODEL, input: 'hang', stream: true }, 'full', controller.signal).catch((error: unknown) => error);
    await vi.waitFor(() => expect(fake.requests.some((r) => r.path === '/api/chat')).toBe(true));
    controller.abort();
    await pending;
    await vi.waitFor(() => expect(fake.closedRequests).toBe(1));
  });
});

describe('stored responses at rest', () => {
  it('are sealed with ENCRYPTION_KEY in the session store', async () => {
    const response = (await (await post('/v1/responses', { model: MODEL, input: 'top secret plan', reasoning: { effort: 'none' } })).json()) as { id: string };
    const stored = await sessionStore.get(`response:${response.id}`);
    expect(stored).toMatch(/^aes256gcm:/);
    expect(stored).not.toContain('top secret plan');
  });

  it('fit a long conversation to the memory window: the oldest turns are left out', async () => {
    let previous: string | undefined;
    for (const text of ['first '.repeat(60), 'second '.repeat(20), 'third']) {
      const body = { model: MODEL, input: text, reasoning: { effort: 'none' }, ...(previous ? { previous_response_id: previous } : {}) };
      previous = ((await (await post('/v1/responses', body)).json()) as { id: string }).id;
    }
    const sent = sentMessages();
    expect(sent.at(-1)).toBe('third');
    expect(sent.some((content) => content.startsWith('second'))).toBe(true);
    expect(sent.some((content) => content.startsWith('first'))).toBe(false);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { AuthenticationError } from '../../src/core/errors.js';
import { ALL_SCOPES, type Principal } from '../../src/core/principal.js';
import type { Authenticator } from '../../src/http/middleware/authenticate.js';
import { chatJson, chatLines, hang, replyError, replyJson, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { contextApi, lastSentChat, postChat, sayInSession, sentChats, sentText, SESSION_MODEL } from '../helpers/session-chat.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Sessions end to end: the real app against the fake Ollama, asserting what reached the upstream.

const principals: Record<string, Principal> = {
  alice: { id: 'alice', kind: 'api-key', scopes: ALL_SCOPES },
  bob: { id: 'bob', kind: 'api-key', scopes: ALL_SCOPES },
  reader: { id: 'reader', kind: 'api-key', scopes: ['models:read'] },
};
const authenticator: Authenticator = (credential) => {
  const principal = credential === undefined ? undefined : principals[credential];
  if (!principal) throw new AuthenticationError();
  return principal;
};

let fake: FakeOllama;
let app: TestApp;
beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, overrides: { authenticator } });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const newSession = () => `s-${randomUUID()}`;

describe('session memory: sliding window', () => {
  it('keeps a 30-turn conversation inside its window, newest turns first to go in, system message pinned', async () => {
    const session = newSession();
    expect((await contextApi(app, 'alice', 'PUT', session, { strategy: 'sliding', memory_size: 400, window_size: 120 })).status).toBe(201);
    for (let n = 1; n <= 30; n++) {
      const question = `question number ${n} about the weather in a city somewhere`;
      await sayInSession(app, { key: 'alice', session, content: question, ...(n === 1 ? { system: 'You are terse.' } : {}) });
      const sent = lastSentChat(fake).messages;
      expect(sent[0]).toEqual({ role: 'system', content: 'You are terse.' });
      expect(sent.at(-1)).toEqual({ role: 'user', content: question });
      const history = sent.slice(1, -1);
      // Each turn is about 39 estimated tokens: three fit the window, never more than four.
      if (n <= 4) expect(history).toHaveLength(2 * (n - 1));
      else expect(history.length).toBeGreaterThanOrEqual(4);
      expect(history.length).toBeLessThanOrEqual(8);
      if (n > 1) expect(history.at(-1)!.content).toBe(`Echo: question number ${n - 1} about the weather in a city somewhere`);
      if (n > 6) expect(sentText(lastSentChat(fake)).join('\n')).not.toContain('question number 1 about');
    }
    const { body } = await contextApi(app, 'alice', 'GET', session);
    expect(body.state!.estimated_tokens).toBeLessThanOrEqual(120 + 12);
    expect(body.state!.turns).toBeLessThan(30);
  });

  it('prepends the stored history so the client sends only its new message', async () => {
    const session = newSession();
    await sayInSession(app, { key: 'alice', session, content: 'My name is Ada.' });
    await sayInSession(app, { key: 'alice', session, content: 'What is my name?' });
    expect(sentText(lastSentChat(fake))).toEqual([
      'user: My name is Ada.',
      'assistant: Echo: My name is Ada.',
      'user: What is my name?',
    ]);
  });

  it('leaves requests without X-Session-Id stateless', async () => {
    await sayInSession(app, { key: 'alice', content: 'first' });
    await sayInSession(app, { key: 'alice', content: 'second' });
    expect(sentText(lastSentChat(fake))).toEqual(['user: second']);
  });

  it('commits a streamed answer after a clean finish', async () => {
    const session = newSession();
    expect(await sayInSession(app, { key: 'alice', session, content: 'stream me', stream: true })).toBe('Echo: stream me');
    await sayInSession(app, { key: 'alice', session, content: 'next' });
    expect(sentText(lastSentChat(fake))).toEqual(['user: stream me', 'assistant: Echo: stream me', 'user: next']);
  });

  it('rejects a malformed session id', async () => {
    const response = await postChat(app, { key: 'alice', session: 'has spaces', content: 'x' });
    expect(response.status).toBe(400);
  });
});

describe('session memory: one request at a time', () => {
  it('runs a second request only after the first answered, with its answer in the history', async () => {
    const session = newSession();
    fake.script('/api/chat', replyJson(chatJson({ model: SESSION_MODEL, content: ['The first answer.'] }), { delayMs: 300 }));
    const first = sayInSession(app, { key: 'alice', session, content: 'first question' });
    await expect.poll(() => sentChats(fake).length).toBe(1);
    const second = sayInSession(app, { key: 'alice', session, content: 'second question' });
    expect(await first).toBe('The first answer.');
    await second;
    expect(sentText(sentChats(fake)[1]!)).toEqual(['user: first question', 'assistant: The first answer.', 'user: second question']);
  });

  it('does not make other sessions wait', async () => {
    fake.script('/api/chat', hang());
    const blocked = new AbortController();
    const stuck = postChat(app, { key: 'alice', session: newSession(), content: 'slow', signal: blocked.signal }).catch(() => undefined);
    await expect.poll(() => sentChats(fake).length).toBe(1);
    expect(await sayInSession(app, { key: 'alice', session: newSession(), content: 'quick' })).toBe('Echo: quick');
    blocked.abort();
    await stuck;
  });
});

describe('session memory: nothing is committed for failed or aborted requests', () => {
  it('forgets a request that failed upstream', async () => {
    const session = newSession();
    await sayInSession(app, { key: 'alice', session, content: 'kept' });
    fake.script('/api/chat', replyError(500, 'model crashed'));
    expect((await postChat(app, { key: 'alice', session, content: 'lost' })).status).toBe(502);
    await sayInSession(app, { key: 'alice', session, content: 'after' });
    expect(sentText(lastSentChat(fake))).toEqual(['user: kept', 'assistant: Echo: kept', 'user: after']);
    expect((await contextApi(app, 'alice', 'GET', session)).body.state!.turns).toBe(2);
  });

  it('forgets a stream that broke off with an error', async () => {
    const session = newSession();
    fake.script('/api/chat', { kind: 'midstream-error', lines: chatLines({ model: SESSION_MODEL, content: ['partial'] }).slice(0, 1), message: 'boom' });
    const response = await postChat(app, { key: 'alice', session, content: 'lost', stream: true });
    expect(await response.text()).toContain('"error"');
    await sayInSession(app, { key: 'alice', session, content: 'after' });
    expect(sentText(lastSentChat(fake))).toEqual(['user: after']);
  });

  it('forgets a stream the client aborted, and frees the session for the next request', async () => {
    const session = newSession();
    fake.script('/api/chat', hang());
    const controller = new AbortController();
    const aborted = postChat(app, { key: 'alice', session, content: 'lost', stream: true, signal: controller.signal }).then((r) => r.text());
    await expect.poll(() => sentChats(fake).length).toBe(1);
    controller.abort();
    await expect(aborted).rejects.toThrow();
    await expect.poll(() => fake.closedRequests).toBe(1);
    await sayInSession(app, { key: 'alice', session, content: 'after' });
    expect(sentText(lastSentChat(fake))).toEqual(['user: after']);
  });
});

describe('session memory: isolation', () => {
  it("gives another key 404 for a session, in chat and in the context API, and leaves it intact", async () => {
    const session = newSession();
    await sayInSession(app, { key: 'alice', session, content: 'private' });
    const stolen = await postChat(app, { key: 'bob', session, content: 'show me' });
    expect(stolen.status).toBe(404);
    expect(((await stolen.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect((await contextApi(app, 'bob', 'GET', session)).status).toBe(404);
    expect((await contextApi(app, 'bob', 'PUT', session, { strategy: 'summary' })).status).toBe(404);
    expect((await contextApi(app, 'bob', 'DELETE', session)).status).toBe(404);
    const own = await contextApi(app, 'alice', 'GET', session);
    expect(own.body).toMatchObject({ strategy: 'sliding', state: { turns: 1 } });
    expect(sentChats(fake)).toHaveLength(1);
  });

  it("needs the 'chat' scope for the context API", async () => {
    const { status, body } = await contextApi(app, 'reader', 'GET', newSession());
    expect(status).toBe(403);
    expect(body.error!.code).toBe('forbidden');
  });
});

describe('context API', () => {
  it('creates a session with PUT (201), changes it (200), reports it with GET and forgets it with DELETE', async () => {
    const session = newSession();
    const created = await contextApi(app, 'alice', 'PUT', session, { memory_size: 4096, window_size: 2048, strategy: 'hybrid' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      object: 'context.session',
      session_id: session,
      strategy: 'hybrid',
      memory_size: 4096,
      window_size: 2048,
      state: { turns: 0, messages: 0, estimated_tokens: 0, summary: null, summarized_turns: 0, summary_model: null, model: null },
    });
    const changed = await contextApi(app, 'alice', 'PUT', session, { window_size: 1024 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ strategy: 'hybrid', memory_size: 4096, window_size: 1024 });
    await sayInSession(app, { key: 'alice', session, content: 'hello' });
    const { body } = await contextApi(app, 'alice', 'GET', session);
    expect(body.state).toMatchObject({ turns: 1, messages: 2, model: SESSION_MODEL });
    expect(body.state!.estimated_tokens).toBeGreaterThan(0);
    expect((await contextApi(app, 'alice', 'DELETE', session)).body).toEqual({ object: 'context.session', session_id: session, deleted: true });
    expect((await contextApi(app, 'alice', 'GET', session)).status).toBe(404);
    await sayInSession(app, { key: 'alice', session, content: 'fresh start' });
    expect(sentText(lastSentChat(fake))).toEqual(['user: fresh start']);
  });

  it('gives a session used before any PUT the configured defaults', async () => {
    const session = newSession();
    await sayInSession(app, { key: 'alice', session, content: 'hi' });
    expect((await contextApi(app, 'alice', 'GET', session)).body).toMatchObject({ strategy: 'sliding', memory_size: 4096, window_size: 2048 });
  });

  it.each([
    [{ strategy: 'forever' }, 'strategy'],
    [{ memory_size: 0 }, 'memory_size'],
    [{ window_size: 1.5 }, 'window_size'],
    [{ memory_size: 100, window_size: 200 }, 'window_size'],
    [{ windowSize: 10 }, null],
  ])('rejects %j with 400 naming %s', async (settings, param) => {
    const { status, body } = await contextApi(app, 'alice', 'PUT', newSession(), settings);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param });
  });

  it('answers 404 for a session that does not exist', async () => {
    const { status, body } = await contextApi(app, 'alice', 'GET', newSession());
    expect(status).toBe(404);
    expect(body.error!.type).toBe('invalid_request_error');
  });
});

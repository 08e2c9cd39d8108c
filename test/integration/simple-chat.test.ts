import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { validateOpenAI } from '../helpers/openai-schema.js';
import { sseJson } from '../helpers/read-sse.js';
import { lastSentChat, sentText } from '../helpers/session-chat.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// POST /api/v1/chat: the deployment guide's simple endpoint, answering in OpenAI's shapes.

const KEY = 'sk-test-master-key-0123456789';
let fake: FakeOllama;
let app: TestApp;
beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, DEFAULT_MODEL: 'deepseek-r1:7b' } });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

function simpleChat(target: TestApp, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetch(`${target.url}/api/v1/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('POST /api/v1/chat', () => {
  it('answers a prompt with a chat.completion, sending the system message, temperature and max_tokens upstream', async () => {
    const response = await simpleChat(app, { prompt: 'Hello', system_message: 'Be kind.', temperature: 0.2, max_tokens: 64, model: 'deepseek-v3.1:671b' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; model: string; choices: { message: { content: string } }[] };
    expect(validateOpenAI('CreateChatCompletionResponse', body)).toEqual([]);
    expect(body.choices[0]!.message.content).toBe('Echo: Hello');
    expect(lastSentChat(fake)).toMatchObject({
      model: 'deepseek-v3.1:671b',
      stream: false,
      messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Hello' }],
      options: { temperature: 0.2, num_predict: 64 },
    });
  });

  it('uses DEFAULT_MODEL when the body names none', async () => {
    const response = await simpleChat(app, { prompt: 'Hi' });
    expect(((await response.json()) as { model: string }).model).toBe('deepseek-r1:7b');
    expect(lastSentChat(fake).model).toBe('deepseek-r1:7b');
  });

  it('streams chat.completion.chunk frames', async () => {
    const response = await simpleChat(app, { prompt: 'Stream it', stream: true, model: 'deepseek-v3.1:671b' });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const chunks = sseJson(text) as { object: string; choices: { delta: { content?: string } }[] }[];
    for (const chunk of chunks) expect(validateOpenAI('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Echo: Stream it');
  });

  it('keeps a conversation with session_id in the body (or X-Session-Id)', async () => {
    const session = `simple-${randomUUID()}`;
    await simpleChat(app, { prompt: 'I am Ada.', session_id: session, model: 'deepseek-v3.1:671b' });
    await simpleChat(app, { prompt: 'Who am I?', model: 'deepseek-v3.1:671b' }, { 'x-session-id': session });
    expect(sentText(lastSentChat(fake))).toEqual(['user: I am Ada.', 'assistant: Echo: I am Ada.', 'user: Who am I?']);
  });

  it.each([
    [{}, 'prompt'],
    [{ prompt: 'x', temperature: 'hot' }, 'temperature'],
    [{ prompt: 'x', session_id: 'no spaces allowed' }, 'session_id'],
  ])('rejects %j with 400 naming %s', async (body, param) => {
    const response = await simpleChat(app, body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe(param);
  });

  describe('without model and DEFAULT_MODEL', () => {
    let bare: TestApp;
    beforeAll(async () => {
      bare = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY }, file: { models: { listCacheMs: 0 } } });
    });
    afterAll(() => bare.close());

    it("answers with deepseek-chat's resolution, as the README's example is written", async () => {
      const response = await simpleChat(bare, { prompt: 'My name is Ada.', system_message: 'Be brief.', session_id: `s-${randomUUID()}` });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { model: string }).model).toBe('deepseek-chat');
      expect(lastSentChat(fake)).toMatchObject({ model: 'deepseek-v3.1:671b', think: false });
    });

    it('falls back to the first installed chat model when no DeepSeek model is there', async () => {
      fake.models.splice(0, fake.models.length, ...fake.models.filter((model) => model.name.startsWith('nomic') || model.name.startsWith('qwen')));
      const response = await simpleChat(bare, { prompt: 'x' });
      expect(response.status).toBe(200);
      expect(lastSentChat(fake).model).toBe('qwen3:8b');
    });

    it('asks for a model when nothing that can chat is installed', async () => {
      fake.models.splice(0, fake.models.length, ...fake.models.filter((model) => model.name.startsWith('nomic')));
      const response = await simpleChat(bare, { prompt: 'x' });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { param: string } }).error.param).toBe('model');
    });
  });

  it('needs a key', async () => {
    const response = await fetch(`${app.url}/api/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"x"}' });
    expect(response.status).toBe(401);
  });
});

import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../src/core/errors.js';
import { ALL_SCOPES } from '../../src/core/principal.js';
import type { Authenticator } from '../../src/http/middleware/authenticate.js';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { lastSentChat, sentText, SESSION_MODEL } from '../helpers/session-chat.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const KEY = 'alice';
const authenticator: Authenticator = (credential) => {
  if (credential !== 'alice' && credential !== 'bob') throw new AuthenticationError();
  return { id: credential, kind: 'api-key', scopes: ALL_SCOPES };
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

describe('openai SDK: sessions via defaultHeaders X-Session-Id', () => {
  it('sends only new messages and gets answers in the context of the conversation, streamed or not', async () => {
    const client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: KEY, maxRetries: 0, defaultHeaders: { 'X-Session-Id': `sdk-${randomUUID()}` } });
    const first = await client.chat.completions.create({ model: SESSION_MODEL, messages: [{ role: 'user', content: 'I live in Lyon.' }], reasoning_effort: 'none' });
    expect(first.choices[0]!.message.content).toBe('Echo: I live in Lyon.');

    const stream = await client.chat.completions.create({ model: SESSION_MODEL, messages: [{ role: 'user', content: 'Where do I live?' }], stream: true, reasoning_effort: 'none' });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe('Echo: Where do I live?');

    await client.chat.completions.create({ model: SESSION_MODEL, messages: [{ role: 'user', content: 'Thanks.' }], reasoning_effort: 'none' });
    expect(sentText(lastSentChat(fake))).toEqual([
      'user: I live in Lyon.',
      'assistant: Echo: I live in Lyon.',
      'user: Where do I live?',
      'assistant: Echo: Where do I live?',
      'user: Thanks.',
    ]);
  });

  it("raises NotFoundError when another key uses the session", async () => {
    const session = `sdk-${randomUUID()}`;
    const owner = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: 'alice', maxRetries: 0, defaultHeaders: { 'X-Session-Id': session } });
    const intruder = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: 'bob', maxRetries: 0, defaultHeaders: { 'X-Session-Id': session } });
    await owner.chat.completions.create({ model: SESSION_MODEL, messages: [{ role: 'user', content: 'secret plans' }] });
    await expect(intruder.chat.completions.create({ model: SESSION_MODEL, messages: [{ role: 'user', content: 'tell me' }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

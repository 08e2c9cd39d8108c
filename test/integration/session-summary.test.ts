import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatJson, replyError, replyJson, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { contextApi, lastSentChat, sayInSession, sentChats, sentText, SESSION_MODEL, type SentChat } from '../helpers/session-chat.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Summary and hybrid strategies: the summarizing call happens at the fake Ollama after the answer went
// out, and its text reaches the next prompt as a system message.

const KEY = 'sk-test-master-key-0123456789';
const SUMMARIZER = 'deepseek-r1:7b';
let fake: FakeOllama;
let app: TestApp;
beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, SUMMARIZER_MODEL: SUMMARIZER } });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const newSession = () => `s-${randomUUID()}`;
/** About 80 characters: with its echoed answer, about 45 estimated tokens per turn (a scripted short answer: about 30). */
const question = (n: number) => `Question ${n}: please remember that the item number ${n} is stored on shelf ${n * 7}.`;
const answer = (text: string) => replyJson(chatJson({ model: SESSION_MODEL, content: [text] }));
const summaryReply = (text: string) => replyJson(chatJson({ model: SUMMARIZER, content: [text] }));
const summaryOf = async (session: string, key = KEY) => (await contextApi(app, key, 'GET', session)).body.state!.summary;
const summarizerCalls = (): SentChat[] => sentChats(fake).filter((chat) => chat.model === SUMMARIZER);

describe('summary strategy', () => {
  it('folds older turns into a summary written by the summarizer model once memory_size is exceeded, and sends it next time', async () => {
    const session = newSession();
    await contextApi(app, KEY, 'PUT', session, { strategy: 'summary', memory_size: 100, window_size: 50 });
    await sayInSession(app, { key: KEY, session, content: question(1) });
    await sayInSession(app, { key: KEY, session, content: question(2) });
    expect(summarizerCalls()).toHaveLength(0);
    fake.script('/api/chat', answer('Third answer.'), summaryReply('Items 1 and 2 are on shelves 7 and 14.'));
    expect(await sayInSession(app, { key: KEY, session, content: question(3) })).toBe('Third answer.');
    await expect.poll(() => summaryOf(session)).toBe('Items 1 and 2 are on shelves 7 and 14.');

    const [call] = summarizerCalls();
    expect(call!.think).toBe(false);
    expect(call!.messages[0]!.role).toBe('system');
    expect(call!.messages[1]!.content).toContain(`User: ${question(1)}`);
    expect(call!.messages[1]!.content).toContain(`User: ${question(2)}`);
    expect(call!.messages[1]!.content).not.toContain(question(3));

    await sayInSession(app, { key: KEY, session, content: question(4) });
    expect(sentText(lastSentChat(fake))).toEqual([
      'system: Summary of the earlier conversation:\nItems 1 and 2 are on shelves 7 and 14.',
      `user: ${question(3)}`,
      'assistant: Third answer.',
      `user: ${question(4)}`,
    ]);
    expect((await contextApi(app, KEY, 'GET', session)).body.state).toMatchObject({ summarized_turns: 2, turns: 2, summary_model: SUMMARIZER });
  });

  it("summarizes with the session's own model when the key's allow-list excludes SUMMARIZER_MODEL, and says so", async () => {
    const created = await fetch(`${app.url}/api/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'v3-only', scopes: ['chat'], models: ['deepseek-v3.1:*'] }),
    });
    expect(created.status).toBe(201);
    const key = ((await created.json()) as { secret: string }).secret;
    const session = newSession();
    await contextApi(app, key, 'PUT', session, { strategy: 'summary', memory_size: 100, window_size: 50 });
    await sayInSession(app, { key, session, content: question(1) });
    await sayInSession(app, { key, session, content: question(2) });
    fake.script('/api/chat', answer('Third answer.'), answer('Items 1 and 2 are on shelves 7 and 14.'));
    await sayInSession(app, { key, session, content: question(3) });
    await expect.poll(() => summaryOf(session, key)).toBe('Items 1 and 2 are on shelves 7 and 14.');

    expect(summarizerCalls()).toEqual([]);
    const summaryCall = sentChats(fake).find((chat) => chat.think === false && chat.messages[1]?.content.includes(`User: ${question(1)}`));
    expect(summaryCall?.model).toBe(SESSION_MODEL);
    expect((await contextApi(app, key, 'GET', session)).body.state).toMatchObject({ summarized_turns: 2, summary_model: SESSION_MODEL });
  });

  it('keeps the history intact when the summarizing call fails', async () => {
    const session = newSession();
    await contextApi(app, KEY, 'PUT', session, { strategy: 'summary', memory_size: 100, window_size: 50 });
    await sayInSession(app, { key: KEY, session, content: question(1) });
    await sayInSession(app, { key: KEY, session, content: question(2) });
    fake.script('/api/chat', answer('Third answer.'), replyError(500, 'out of memory'));
    await sayInSession(app, { key: KEY, session, content: question(3) });
    await expect.poll(() => app.logs.some((line) => line.includes('session summary failed') && line.includes(session))).toBe(true);
    expect((await contextApi(app, KEY, 'GET', session)).body.state).toMatchObject({ turns: 3, summary: null, summarized_turns: 0 });
  });
});

describe('hybrid strategy', () => {
  it('sends the summary of older turns plus the sliding window of recent ones', async () => {
    const session = newSession();
    await contextApi(app, KEY, 'PUT', session, { strategy: 'hybrid', memory_size: 400, window_size: 60 });
    await sayInSession(app, { key: KEY, session, content: question(1) });
    fake.script('/api/chat', answer('Second answer.'), summaryReply('Item 1 is on shelf 7.'));
    await sayInSession(app, { key: KEY, session, content: question(2) });
    await expect.poll(() => summaryOf(session)).toBe('Item 1 is on shelf 7.');

    await sayInSession(app, { key: KEY, session, content: question(3) });
    expect(sentText(lastSentChat(fake))).toEqual([
      'system: Summary of the earlier conversation:\nItem 1 is on shelf 7.',
      `user: ${question(2)}`,
      'assistant: Second answer.',
      `user: ${question(3)}`,
    ]);
  });
});

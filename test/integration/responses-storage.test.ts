import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KvStore } from '../../src/stores/kv-store.js';
import { createMemoryKvStore } from '../../src/stores/memory-kv-store.js';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Issue 14: a stored response keeps its own turn and links to the one it continues, so a chain of N turns
// stores O(N) bytes (it used to copy the whole conversation into every response: O(N²)). Measured on the
// store's own byte count, through the openai SDK against the app.

const KEY = 'sk-responses-storage-master';
const MODEL = 'deepseek-v3.1:671b';
let fake: FakeOllama;
let app: TestApp;
let client: OpenAI;
const bytes = new Map<string, number>();

/** The memory store, counting the bytes each key holds now. */
function countingStore(inner: KvStore): KvStore {
  return {
    kind: inner.kind,
    get: (key) => inner.get(key),
    async set(key, value, ttlMs) {
      await inner.set(key, value, ttlMs);
      bytes.set(key, Buffer.byteLength(key) + Buffer.byteLength(value));
    },
    async delete(key) {
      await inner.delete(key);
      bytes.delete(key);
    },
    setIfAbsent: (key, value, ttlMs) => inner.setIfAbsent(key, value, ttlMs),
    ping: (signal) => inner.ping(signal),
    close: () => inner.close(),
  };
}
const storedBytes = () => [...bytes.entries()].filter(([key]) => key.startsWith('response:')).reduce((sum, [, size]) => sum + size, 0);
const sessionStore = countingStore(createMemoryKvStore());

beforeAll(async () => {
  fake = await startFakeOllama();
  // A memory budget far above 50 turns, so the old layout's copies would not have been trimmed.
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, MEMORY_SIZE: '200000', MEMORY_WINDOW_SIZE: '100000' }, overrides: { sessionStore } });
  client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});

const question = (turn: number) => `Turn ${turn}: remember this.`;

describe('stored responses along a previous_response_id chain', () => {
  const ids: string[] = [];
  const sizes: number[] = [storedBytes()];

  it('stores 50 chained turns in bytes linear in the turns, and still rebuilds the whole conversation', async () => {
    let previous: string | undefined;
    for (let turn = 1; turn <= 50; turn++) {
      const response = await client.responses.create({ model: MODEL, input: question(turn), ...(previous ? { previous_response_id: previous } : {}) });
      previous = response.id;
      ids.push(response.id);
      sizes.push(storedBytes());
    }
    const firstHalf = sizes[25]! - sizes[0]!;
    const secondHalf = sizes[50]! - sizes[25]!;
    // Linear: the second 25 turns cost what the first 25 did (quadratic storage would cost about 3×).
    expect(secondHalf / firstHalf).toBeLessThan(1.25);
    expect(sizes[50]! / 50).toBeLessThan(2 * (sizes[1]! - sizes[0]!));

    await client.responses.create({ model: MODEL, input: 'What did I say first?', previous_response_id: previous! });
    const sent = fake.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    const users = sent.messages.filter((message) => message.role === 'user').map((message) => message.content);
    expect(users).toHaveLength(51);
    expect(users[0]).toBe(question(1));
    expect(users[49]).toBe(question(50));
  }, 60_000);

  it('keeps later responses whole when one in the middle is deleted, and answers 404 for the deleted one', async () => {
    await client.responses.delete(ids[9]!);
    await expect(client.responses.retrieve(ids[9]!)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.delete(ids[9]!)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await client.responses.create({ model: MODEL, input: 'Still there?', previous_response_id: ids[20]! });
    const sent = fake.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    expect(sent.messages.filter((message) => message.role === 'user').map((message) => message.content).slice(0, 2)).toEqual([question(1), question(2)]);
  });

  it('keeps owners apart along the chain', async () => {
    const other = await app.access.keys.createKey({ name: 'other', scopes: ['chat'] });
    const stranger = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: other.secret, maxRetries: 0 });
    await expect(stranger.responses.create({ model: MODEL, input: 'hi', previous_response_id: ids[49]! })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('continues from a response stored in the earlier format (the whole history in one record)', async () => {
    const history = {
      settings: { strategy: 'sliding', memorySize: 200000, windowSize: 2048 },
      system: [],
      summarizedTurns: 0,
      turns: [{ id: 1, messages: [{ role: 'user', content: 'old question' }, { role: 'assistant', content: 'old answer' }] }],
      nextTurnId: 2,
    };
    await sessionStore.set('response:resp_v1record', JSON.stringify({ v: 1, owner: 'master', model: MODEL, createdAt: 1, history, payload: null }), 60_000);
    const first = await client.responses.create({ model: MODEL, input: 'new question', previous_response_id: 'resp_v1record' });
    await client.responses.create({ model: MODEL, input: 'third question', previous_response_id: first.id });
    const sent = fake.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    const contents = sent.messages.map((message) => message.content);
    expect(contents.slice(0, 3)).toEqual(['old question', 'old answer', 'new question']);
    expect(contents.at(-1)).toBe('third question');
  });
});

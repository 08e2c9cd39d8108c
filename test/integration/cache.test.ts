import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/principal.js';
import { chatLines, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { sseJson } from '../helpers/read-sse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The response cache through the real app (in-process tier). Each test asks its own question, so entries
// made by one test never answer another's.

const MODEL = 'deepseek-v3.1:671b';
const KEY = 'sk-cache-test-master-key';
let fake: FakeOllama;
let app: TestApp;
let sdk: OpenAI;
let question = 0;
const ask = () => `question ${++question}`;

beforeAll(async () => {
  // Slow enough that identical requests overlap while the first one is still generating.
  fake = await startFakeOllama({ tokenDelayMs: 30 });
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY } });
  sdk = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const upstreamChats = () => fake.requests.filter((request) => request.path === '/api/chat').length;
const post = (body: Record<string, unknown>, headers: Record<string, string> = {}, key = KEY) =>
  fetch(`${app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: MODEL, temperature: 0, ...body }),
  });
const chatBody = (content: string, extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'user', content }], ...extra });

interface Completion {
  choices: Array<{ message: { content: string }; finish_reason: string }>;
  usage: { prompt_tokens: number; prompt_tokens_details?: { cached_tokens: number } };
}

async function streamed(res: Response): Promise<{ content: string; finishes: string[]; usage: Completion['usage'] | undefined; done: boolean }> {
  const text = await res.text();
  const chunks = sseJson(text) as Array<{ choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage?: Completion['usage'] }>;
  return {
    content: chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''),
    finishes: chunks.flatMap((chunk) => (chunk.choices[0]?.finish_reason ? [chunk.choices[0].finish_reason] : [])),
    usage: chunks.find((chunk) => chunk.usage)?.usage,
    done: text.trimEnd().endsWith('data: [DONE]'),
  };
}

describe('response cache', () => {
  it('answers a repeated deterministic request without the upstream; the SDK sees X-Cache and cached_tokens', async () => {
    const messages = [{ role: 'user' as const, content: ask() }];
    const first = await sdk.chat.completions.create({ model: MODEL, messages, temperature: 0 }).withResponse();
    const second = await sdk.chat.completions.create({ model: MODEL, messages, temperature: 0 }).withResponse();
    expect(first.response.headers.get('x-cache')).toBe('MISS');
    expect(second.response.headers.get('x-cache')).toBe('HIT');
    expect(upstreamChats()).toBe(1);
    expect(second.data.choices[0]!.message.content).toBe(first.data.choices[0]!.message.content);
    expect(first.data.usage!.prompt_tokens_details).toBeUndefined();
    expect(second.data.usage!.prompt_tokens_details!.cached_tokens).toBe(second.data.usage!.prompt_tokens);
    expect(second.data.id).not.toBe(first.data.id);
  });

  it('bypasses requests that are not deterministic under the default policy', async () => {
    const content = ask();
    const first = await post(chatBody(content, { temperature: 0.8 }));
    const second = await post(chatBody(content, { temperature: 0.8 }));
    expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['BYPASS', 'BYPASS']);
    expect(upstreamChats()).toBe(2);
  });

  it('caches a request with a seed', async () => {
    const content = ask();
    await post(chatBody(content, { temperature: 1, seed: 42 }));
    expect((await post(chatBody(content, { temperature: 1, seed: 42 }))).headers.get('x-cache')).toBe('HIT');
  });

  it('replays an entry made by a non-streamed call as a well-formed stream', async () => {
    const content = ask();
    const plain = (await (await post(chatBody(content))).json()) as Completion;
    const res = await post(chatBody(content, { stream: true, stream_options: { include_usage: true } }));
    expect(res.headers.get('x-cache')).toBe('HIT');
    const stream = await streamed(res);
    expect(stream).toMatchObject({ content: plain.choices[0]!.message.content, finishes: ['stop'], done: true });
    expect(stream.usage!.prompt_tokens_details!.cached_tokens).toBe(plain.usage.prompt_tokens);
    expect(upstreamChats()).toBe(1);
  });

  it('answers a non-streamed call from an entry a stream made', async () => {
    const content = ask();
    const stream = await streamed(await post(chatBody(content, { stream: true })));
    const res = await post(chatBody(content));
    expect(res.headers.get('x-cache')).toBe('HIT');
    expect(((await res.json()) as Completion).choices[0]!.message.content).toBe(stream.content);
    expect(upstreamChats()).toBe(1);
  });

  it('does not store a stream that broke off', async () => {
    const content = ask();
    fake.script('/api/chat', { kind: 'midstream-error', lines: chatLines({ model: MODEL, content: ['part'] }).slice(0, 1), message: 'model crashed' });
    const broken = await post(chatBody(content, { stream: true }));
    expect(await broken.text()).toContain('model crashed');
    const retry = await post(chatBody(content, { stream: true }));
    expect(retry.headers.get('x-cache')).toBe('MISS');
    expect((await streamed(retry)).done).toBe(true);
    expect(upstreamChats()).toBe(2);
  });

  it('skips the lookup for Cache-Control: no-cache but stores the fresh answer', async () => {
    const content = ask();
    await post(chatBody(content));
    const fresh = await post(chatBody(content), { 'cache-control': 'no-cache' });
    expect(fresh.headers.get('x-cache')).toBe('BYPASS');
    expect(upstreamChats()).toBe(2);
    expect((await post(chatBody(content))).headers.get('x-cache')).toBe('HIT');
  });

  it('does not store an answer sent with Cache-Control: no-store', async () => {
    const content = ask();
    expect((await post(chatBody(content), { 'cache-control': 'no-store' })).headers.get('x-cache')).toBe('MISS');
    expect((await post(chatBody(content))).headers.get('x-cache')).toBe('MISS');
    expect(upstreamChats()).toBe(2);
  });

  it('counts lookups in proxy_cache_lookups_total by result', async () => {
    const content = ask();
    await post(chatBody(content));
    await post(chatBody(content));
    const text = await app.metrics.registry.getSingleMetricAsString('proxy_cache_lookups_total');
    expect(text).toMatch(/proxy_cache_lookups_total\{result="hit"\} [1-9]/);
    expect(text).toMatch(/proxy_cache_lookups_total\{result="miss"\} [1-9]/);
  });
});

describe('text completions cache', () => {
  it('answers a repeated completion (and its stream) from the cache', async () => {
    const prompt = ask();
    const complete = (stream: boolean) =>
      fetch(`${app.url}/v1/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, prompt, temperature: 0, stream }),
      });
    const first = await complete(false);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const text = ((await first.json()) as { choices: Array<{ text: string }> }).choices[0]!.text;
    const again = await complete(false);
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(((await again.json()) as { choices: Array<{ text: string }> }).choices[0]!.text).toBe(text);
    const streamedHit = await complete(true);
    expect(streamedHit.headers.get('x-cache')).toBe('HIT');
    expect(await streamedHit.text()).toContain('data: [DONE]');
    expect(fake.requests.filter((request) => request.path === '/api/generate')).toHaveLength(1);
  });
});

describe('request coalescing', () => {
  it('sends one upstream call for identical non-streamed and streamed requests in flight', async () => {
    const content = ask();
    const leader = post(chatBody(content));
    await expect.poll(upstreamChats).toBe(1);
    const joiners = [post(chatBody(content)), post(chatBody(content, { stream: true })), post(chatBody(content))];
    const [first, ...rest] = await Promise.all([leader, ...joiners]);
    const answer = ((await first!.json()) as Completion).choices[0]!.message.content;
    expect(((await rest[0]!.json()) as Completion).choices[0]!.message.content).toBe(answer);
    expect((await streamed(rest[1]!)).content).toBe(answer);
    expect(rest.map((res) => res.headers.get('x-cache'))).toEqual(['HIT', 'HIT', 'HIT']);
    expect(upstreamChats()).toBe(1);
  });

  it('lets late joiners of a stream replay it from the start', async () => {
    const content = ask();
    const leader = await post(chatBody(content, { stream: true }));
    const reader = leader.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // Join only once the leader has seen content, so the joiners must replay what they missed.
    while (!text.includes('"content"')) text += decoder.decode((await reader.read()).value, { stream: true });
    const late = await Promise.all([post(chatBody(content, { stream: true })), post(chatBody(content))]);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
    const full = await streamed(new Response(text));
    const replayed = await streamed(late[0]!);
    expect(replayed).toMatchObject({ content: full.content, finishes: ['stop'], done: true });
    expect(late.map((res) => res.headers.get('x-cache'))).toEqual(['HIT', 'HIT']);
    expect(((await late[1]!.json()) as Completion).choices[0]!.message.content).toBe(full.content);
    expect(upstreamChats()).toBe(1);
  });
});

describe('cache scopes', () => {
  it("keeps one key's entries from another unless sharing is configured", async () => {
    const principals: Record<string, Principal> = {
      a: { id: 'a', kind: 'api-key', scopes: ['chat'] },
      b: { id: 'b', kind: 'api-key', scopes: ['chat'] },
    };
    const authenticator = (credential: string | undefined) => principals[credential ?? '']!;
    for (const [share, expected] of [['false', 'MISS'], ['true', 'HIT']] as const) {
      const scoped = await startTestApp({ ollamaUrl: fake.url, env: { CACHE_SHARE_ACROSS_KEYS: share }, overrides: { authenticator } });
      try {
        const send = (key: string) =>
          fetch(`${scoped.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: MODEL, temperature: 0, messages: [{ role: 'user', content: 'shared question' }] }),
          });
        expect((await send('a')).headers.get('x-cache')).toBe('MISS');
        expect((await send('b')).headers.get('x-cache')).toBe(expected);
      } finally {
        await scoped.close();
      }
    }
  });
});

describe('embeddings cache', () => {
  const embed = (input: string | string[]) =>
    fetch(`${app.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'nomic-embed-text', input }),
    });

  it('sends only the inputs not embedded before, and answers in order', async () => {
    const [a, b] = [ask(), ask()];
    const first = (await (await embed(a)).json()) as { data: Array<{ embedding: number[] }> };
    const res = await embed([b, a]);
    expect(res.headers.get('x-cache')).toBe('MISS');
    const both = (await res.json()) as { data: Array<{ embedding: number[]; index: number }> };
    expect(both.data[1]!.embedding).toEqual(first.data[0]!.embedding);
    const inputs = fake.requests.filter((request) => request.path === '/api/embed').map((request) => (request.body as { input: unknown }).input);
    expect(inputs).toEqual([[a], [b]]);
    expect((await embed([a, b])).headers.get('x-cache')).toBe('HIT');
    expect(fake.requests.filter((request) => request.path === '/api/embed')).toHaveLength(2);
  });
});

describe('with CACHE_POLICY=always', () => {
  it('answers repeated identical requests from the cache whatever their temperature', async () => {
    const always = await startTestApp({ ollamaUrl: fake.url, env: { CACHE_POLICY: 'always' } });
    try {
      const send = () =>
        fetch(`${always.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'bench question' }] }),
        });
      expect((await send()).headers.get('x-cache')).toBe('MISS');
      for (let i = 0; i < 3; i++) expect((await send()).headers.get('x-cache')).toBe('HIT');
      expect(upstreamChats()).toBe(1);
    } finally {
      await always.close();
    }
  });

  it('with CACHE_POLICY=off sends no X-Cache and always goes upstream', async () => {
    const off = await startTestApp({ ollamaUrl: fake.url, env: { CACHE_POLICY: 'off' } });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${off.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: MODEL, temperature: 0, messages: [{ role: 'user', content: 'uncached' }] }),
        });
        expect(res.headers.get('x-cache')).toBeNull();
      }
      expect(upstreamChats()).toBe(2);
    } finally {
      await off.close();
    }
  });
});

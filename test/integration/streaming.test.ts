import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatLines, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { parseSse, sseJson } from '../helpers/read-sse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const headers = { 'content-type': 'application/json' };
let fake: FakeOllama;
let app: TestApp;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { HEARTBEAT_MS: '40' } });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const post = (body: Record<string, unknown>, extraHeaders: Record<string, string> = {}) =>
  fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers: { ...headers, ...extraHeaders }, body: JSON.stringify(body) });

describe('SSE framing', () => {
  it('streams data-only events with one id, a role-first delta, one finish_reason and [DONE]', async () => {
    // The openai SDK sends Accept: application/json even when it streams: the body decides.
    const response = await post({ model: 'deepseek-v3.1:671b', messages: [{ role: 'user', content: 'a b c' }], stream: true }, { accept: 'application/json' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const text = await response.text();
    expect(text).not.toMatch(/^event:/m);
    const { data } = parseSse(text);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = sseJson(text) as Array<{ id: string; created: number; model: string; choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>; usage?: unknown }>;
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(new Set(chunks.map((chunk) => chunk.created)).size).toBe(1);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.filter((chunk) => chunk.choices[0]?.finish_reason !== null)).toHaveLength(1);
    expect(chunks.every((chunk) => chunk.usage === undefined || chunk.usage === null)).toBe(true);
  });

  it('flushes each upstream line as it arrives', async () => {
    fake.script('/api/chat', { kind: 'ndjson', lines: chatLines({ model: 'deepseek-v3.1:671b', content: ['first', ' second'] }), delayMs: 400 });
    const response = await post({ model: 'deepseek-v3.1:671b', messages: [{ role: 'user', content: 'x' }], stream: true, think: false });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    while (!seen.includes('"first"')) seen += decoder.decode((await reader.read()).value);
    // The upstream pauses between its lines: a buffering proxy would deliver both tokens together.
    expect(seen).not.toContain('second');
    await reader.cancel();
  });

  it('sends : ping comments while the model loads', async () => {
    fake.script('/api/chat', { kind: 'ndjson', lines: chatLines({ model: 'deepseek-v3.1:671b', content: ['late'] }), firstDelayMs: 300 });
    const text = await (await post({ model: 'deepseek-v3.1:671b', messages: [{ role: 'user', content: 'x' }], stream: true })).text();
    const { comments, data } = parseSse(text);
    expect(comments.filter((comment) => comment === ': ping').length).toBeGreaterThan(0);
    expect(data.at(-1)).toBe('[DONE]');
    expect(text.indexOf(': ping')).toBeLessThan(text.indexOf('data:'));
  });

  it('turns an error after the stream started into a final error frame without [DONE]', async () => {
    fake.script('/api/chat', { kind: 'midstream-error', lines: chatLines({ model: 'deepseek-v3.1:671b', content: ['partial'] }).slice(0, 1), message: 'CUDA error: out of memory' });
    const text = await (await post({ model: 'deepseek-v3.1:671b', messages: [{ role: 'user', content: 'x' }], stream: true })).text();
    const { data } = parseSse(text);
    expect(data).not.toContain('[DONE]');
    const last = JSON.parse(data.at(-1)!) as { error: Record<string, unknown> };
    expect(last.error).toMatchObject({ type: 'api_error', code: 'upstream_error' });
    expect(String(last.error.message)).toContain('CUDA error');
  });

  it('never truncates silently when the upstream connection drops', async () => {
    fake.script('/api/chat', { kind: 'reset', lines: chatLines({ model: 'deepseek-v3.1:671b', content: ['a', 'b'] }).slice(0, 2) });
    const text = await (await post({ model: 'deepseek-v3.1:671b', messages: [{ role: 'user', content: 'x' }], stream: true })).text();
    const { data } = parseSse(text);
    expect(data).not.toContain('[DONE]');
    expect(JSON.parse(data.at(-1)!)).toHaveProperty('error');
  });

  it('streams legacy completions as text_completion events', async () => {
    const response = await fetch(`${app.url}/v1/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'deepseek-coder-v2:16b', prompt: 'def f():', suffix: '\n', stream: true }) });
    const chunks = sseJson(await response.text()) as Array<{ object: string; choices: Array<{ text: string; finish_reason: string | null }> }>;
    expect(chunks.every((chunk) => chunk.object === 'text_completion')).toBe(true);
    expect(chunks.filter((chunk) => chunk.choices[0]?.finish_reason)).toHaveLength(1);
  });
});

describe('CORS and health', () => {
  it('answers a browser preflight allowing the SDK headers', async () => {
    const response = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-stainless-os, openai-organization' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toContain('x-stainless-os');
  });

  it('reports the upstream in /health', async () => {
    const response = await fetch(`${app.url}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });
});

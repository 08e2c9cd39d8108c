import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatLines, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

type Json = Record<string, unknown>;

const post = (path: string, body: unknown, init: RequestInit = {}): Promise<Response> =>
  fetch(`${fake.url}${path}`, { method: 'POST', body: JSON.stringify(body), ...init });
const json = async (res: Response): Promise<Json> => (await res.json()) as Json;
const lines = async (res: Response): Promise<Json[]> =>
  (await res.text()).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Json);
const message = (line: Json | undefined): Json => (line?.['message'] ?? {}) as Json;
const user = (content: string) => [{ role: 'user', content }];
const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

describe('fake Ollama: native chat', () => {
  it('answers GET / with "Ollama is running"', async () => {
    const res = await fetch(`${fake.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Ollama is running');
  });

  it('streams NDJSON when stream is omitted, ending with a done line carrying metrics', async () => {
    const res = await post('/api/chat', { model: 'qwen3:8b', think: false, messages: user('hello world') });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const body = await lines(res);
    const last = body.at(-1) ?? {};
    expect(body.slice(0, -1).map((l) => message(l)['content']).join('')).toBe('Echo: hello world');
    expect(last).toMatchObject({ model: 'qwen3:8b', done: true, done_reason: 'stop', eval_count: 3 });
    for (const key of ['total_duration', 'load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_duration']) {
      expect(last[key]).toBeGreaterThan(0);
    }
  });

  it('answers one JSON object with stream:false', async () => {
    const res = await post('/api/chat', { model: 'qwen3:8b', stream: false, think: false, messages: user('hi') });
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await json(res)).toMatchObject({ message: { role: 'assistant', content: 'Echo: hi' }, done: true });
  });

  it('streams thinking before content for a thinking model unless think is false', async () => {
    const thinking = await lines(await post('/api/chat', { model: 'deepseek-r1:7b', messages: user('hi') }));
    expect(message(thinking[0])['thinking']).toBeTruthy();
    const plain = await json(await post('/api/chat', { model: 'deepseek-r1:7b', think: false, stream: false, messages: user('hi') }));
    expect(message(plain)).not.toHaveProperty('thinking');
  });

  it('stops at options.num_predict with done_reason "length"', async () => {
    const options = { num_predict: 2 };
    const body = await json(await post('/api/chat', { model: 'qwen3:8b', think: false, stream: false, messages: user('a b c d'), options }));
    expect(body).toMatchObject({ message: { content: 'Echo: a' }, done_reason: 'length', eval_count: 2 });
  });

  it('replies with a JSON document when format is "json"', async () => {
    const body = await json(await post('/api/chat', { model: 'qwen3:8b', think: false, stream: false, format: 'json', messages: user('x') }));
    expect(JSON.parse(String(message(body)['content']))).toEqual({ answer: 'Echo: x' });
  });

  it('calls the first tool with a complete arguments object and a call_ id', async () => {
    const body = await lines(await post('/api/chat', { model: 'qwen3:8b', think: false, messages: user('Paris'), tools }));
    const calls = body.map((l) => message(l)['tool_calls']).find(Array.isArray);
    expect(calls).toEqual([
      { id: expect.stringMatching(/^call_[a-z0-9]{8}$/), function: { index: 0, name: 'get_weather', arguments: { city: 'Paris' } } },
    ]);
  });

  it.each([
    [{ model: 'nope:1b', messages: user('x') }, 404, "model 'nope:1b' not found"],
    [{ messages: user('x') }, 400, 'model is required'],
    [{ model: 'deepseek-r1:7b', messages: user('x'), tools }, 400, 'registry.ollama.ai/library/deepseek-r1:7b does not support tools'],
    [{ model: 'deepseek-coder-v2:16b', think: true, messages: user('x') }, 400, '"deepseek-coder-v2:16b" does not support thinking'],
    [{ model: 'nomic-embed-text', messages: user('x') }, 400, '"nomic-embed-text" does not support chat'],
  ])('rejects %j with %i and Ollama\'s message', async (body, status, text) => {
    const res = await post('/api/chat', body);
    expect(res.status).toBe(status);
    expect(await json(res)).toEqual({ error: text });
  });

  it('answers a missing body with 400 "missing request body"', async () => {
    const res = await fetch(`${fake.url}/api/chat`, { method: 'POST' });
    expect([res.status, await json(res)]).toEqual([400, { error: 'missing request body' }]);
  });

  it('loads on empty messages and unloads with keep_alive 0, as /api/ps shows', async () => {
    const load = await json(await post('/api/chat', { model: 'deepseek-r1:7b', messages: [] }));
    expect(load).toMatchObject({ done: true, done_reason: 'load', message: { content: '' } });
    const ps = await json(await fetch(`${fake.url}/api/ps`));
    expect(ps['models']).toEqual([expect.objectContaining({ name: 'deepseek-r1:7b', size_vram: 4_683_075_271, context_length: 4096 })]);
    const unload = await json(await post('/api/chat', { model: 'deepseek-r1:7b', messages: [], keep_alive: 0 }));
    expect(unload['done_reason']).toBe('unload');
    expect(await json(await fetch(`${fake.url}/api/ps`))).toEqual({ models: [] });
  });
});

describe('fake Ollama: generate', () => {
  it('fills in the middle for a model with the insert capability', async () => {
    const body = await json(await post('/api/generate', { model: 'deepseek-coder-v2:16b', prompt: 'def f(', suffix: ')', stream: false }));
    expect(body).toMatchObject({ response: '<fill>', done: true, done_reason: 'stop', context: expect.any(Array) });
  });

  it('refuses a suffix for a model without insert', async () => {
    const res = await post('/api/generate', { model: 'deepseek-r1:7b', prompt: 'a', suffix: 'b' });
    expect([res.status, await json(res)]).toEqual([400, { error: 'registry.ollama.ai/library/deepseek-r1:7b does not support insert' }]);
  });

  it('streams `response` tokens', async () => {
    const body = await lines(await post('/api/generate', { model: 'qwen3:8b', prompt: 'hi', think: false }));
    expect(body.map((l) => l['response']).join('')).toBe('Echo: hi');
  });
});

describe('fake Ollama: scripting, recording, aborts', () => {
  it('uses scripted replies first-in first-out, then resumes the default', async () => {
    fake.script('/api/chat', { kind: 'error', status: 503, message: 'busy' }, { kind: 'json', body: { scripted: 2 } });
    const call = () => post('/api/chat', { model: 'qwen3:8b', stream: false, think: false, messages: user('x') });
    expect((await call()).status).toBe(503);
    expect(await json(await call())).toEqual({ scripted: 2 });
    expect(message(await json(await call()))['content']).toBe('Echo: x');
  });

  it('sends a mid-stream error as an NDJSON line after status 200', async () => {
    fake.script('/api/chat', { kind: 'midstream-error', lines: chatLines({ model: 'm', content: ['a'] }).slice(0, 1), message: 'boom' });
    const res = await post('/api/chat', { model: 'm' });
    expect(res.status).toBe(200);
    expect((await lines(res)).at(-1)).toEqual({ error: 'boom' });
  });

  it('records requests with parsed JSON bodies', async () => {
    await post('/api/chat', { model: 'qwen3:8b', messages: [] });
    expect(fake.requests).toEqual([expect.objectContaining({ method: 'POST', path: '/api/chat', body: { model: 'qwen3:8b', messages: [] } })]);
  });

  it('counts a client that disconnects while the reply hangs', async () => {
    fake.script('/api/chat', { kind: 'hang' });
    const controller = new AbortController();
    const pending = post('/api/chat', { model: 'qwen3:8b' }, { signal: controller.signal }).catch(() => undefined);
    await expect.poll(() => fake.requests.length).toBe(1);
    controller.abort();
    await pending;
    await expect.poll(() => fake.closedRequests).toBe(1);
  });

  it('refuses a foreign Host header with an empty 403', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${fake.url}/api/tags`, { headers: { host: 'proxy.example.com' } }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject).end();
    });
    expect(status).toBe(403);
  });
});

describe('fake Ollama: fast mode', () => {
  it('streams the number of tokens asked for in x-fake-tokens', async () => {
    const fast = await startFakeOllama({ fast: true });
    const res = await fetch(`${fast.url}/api/chat`, { method: 'POST', headers: { 'x-fake-tokens': '500' }, body: '{"model":"m"}' });
    const body = await lines(res);
    await fast.close();
    expect(body).toHaveLength(501);
    expect(body.at(-1)).toMatchObject({ done: true, eval_count: 500 });
  });
});

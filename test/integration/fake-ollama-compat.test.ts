import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama({ tokenDelayMs: 0 });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

type Json = Record<string, unknown>;

const post = (path: string, body: unknown, init: RequestInit = {}): Promise<Response> =>
  fetch(`${fake.url}${path}`, { method: 'POST', body: JSON.stringify(body), ...init });
const json = async (res: Response): Promise<Json> => (await res.json()) as Json;
const sseData = async (res: Response): Promise<string[]> =>
  (await res.text()).split('\n\n').filter((f) => f !== '').map((f) => f.replace(/^data: /, ''));
const user = [{ role: 'user', content: 'hi' }];

describe('fake Ollama: /v1/chat/completions', () => {
  it('answers a chat.completion with reasoning and usage when not streaming', async () => {
    const body = await json(await post('/v1/chat/completions', { model: 'deepseek-r1:7b', messages: user }));
    expect(body).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-\d+$/),
      object: 'chat.completion',
      system_fingerprint: 'fp_ollama',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Echo: hi', reasoning: expect.any(String) }, finish_reason: 'stop' }],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
    });
  });

  it('streams SSE with role first, a finish chunk, the usage chunk and [DONE]', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'qwen3:8b', messages: user, stream: true, stream_options: { include_usage: true }, reasoning_effort: 'none',
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const frames = await sseData(res);
    expect(frames.at(-1)).toBe('[DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f) as Json);
    expect(chunks[0]).toMatchObject({ object: 'chat.completion.chunk', choices: [{ delta: { role: 'assistant', content: 'Echo:' } }] });
    expect(chunks.at(-2)).toMatchObject({ choices: [{ delta: {}, finish_reason: 'stop' }] });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 2 } });
  });

  it('sends tool calls with string arguments and finish_reason tool_calls', async () => {
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];
    const body = await json(await post('/v1/chat/completions', { model: 'qwen3:8b', messages: user, tools, reasoning_effort: 'none' }));
    expect(body['choices']).toEqual([
      expect.objectContaining({
        message: expect.objectContaining({ tool_calls: [expect.objectContaining({ type: 'function', function: { name: 'lookup', arguments: '{"q":"hi"}' } })] }),
        finish_reason: 'tool_calls',
      }),
    ]);
  });

  it('wraps errors in the OpenAI shape with the native status', async () => {
    const res = await post('/v1/chat/completions', { model: 'ghost', messages: user });
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: { message: "model 'ghost' not found", type: 'not_found_error', param: null, code: null } });
  });
});

describe('fake Ollama: streaming aborts and fast mode', () => {
  it('stops writing and counts the request when the client leaves mid-stream', async () => {
    const slow = await startFakeOllama({ tokenDelayMs: 50 });
    const controller = new AbortController();
    const res = await fetch(`${slow.url}/api/chat`, {
      method: 'POST', signal: controller.signal, body: JSON.stringify({ model: 'deepseek-r1:7b', messages: user }),
    });
    const reader = res.body?.getReader();
    await reader?.read();
    controller.abort();
    await expect.poll(() => slow.closedRequests).toBe(1);
    await slow.close();
  });

  it('drops the connection for a scripted reset without counting it as a client abort', async () => {
    fake.script('/api/chat', { kind: 'reset' });
    await expect(post('/api/chat', { model: 'qwen3:8b', messages: user })).rejects.toThrow();
    expect(fake.closedRequests).toBe(0);
  });

  it('refuses a browser Origin that OLLAMA_ORIGINS would not allow', async () => {
    const res = await fetch(`${fake.url}/api/version`, { headers: { origin: 'https://evil.example' } });
    expect([res.status, await res.text()]).toEqual([403, '']);
  });

  it('answers /v1 in fast mode with the requested number of tokens', async () => {
    const fast = await startFakeOllama({ fast: true });
    const body = await fetch(`${fast.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'x-fake-tokens': '7' }, body: JSON.stringify({ model: 'any', messages: user, stream: true }),
    });
    const frames = await sseData(body);
    await fast.close();
    expect(frames.filter((f) => f.includes('"content"'))).toHaveLength(7);
    expect(frames.at(-1)).toBe('[DONE]');
  });
});

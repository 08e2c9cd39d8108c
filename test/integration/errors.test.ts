import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatBackend } from '../../src/core/chat-backend.js';
import { hang, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { validateOpenAI } from '../helpers/openai-schema.js';

const KEY = 'sk-test-errors-master-key';
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const chatBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'hi' }], ...extra });

let fake: FakeOllama;
let app: TestApp;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, BODY_LIMIT: '2kb', OLLAMA_HEADERS_TIMEOUT_MS: '300' } });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});

async function expectOpenAIError(response: Response, status: number, code: string, param: string | null = null) {
  expect(response.status).toBe(status);
  expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: Record<string, unknown> };
  expect(validateOpenAI('ErrorResponse', body)).toEqual([]);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(body.error.code).toBe(code);
  expect(body.error.param).toBe(param);
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  return body.error;
}

describe('error catalog over HTTP', () => {
  it('unknown route → 404 not_found', async () => {
    await expectOpenAIError(await fetch(`${app.url}/v1/nothing-here`, { headers: auth }), 404, 'not_found');
  });

  it('missing key → 401 and malformed Authorization → 401', async () => {
    await expectOpenAIError(await fetch(`${app.url}/v1/models`), 401, 'invalid_api_key');
    await expectOpenAIError(await fetch(`${app.url}/v1/models`, { headers: { authorization: 'Basic abc' } }), 401, 'invalid_api_key');
  });

  it('malformed JSON → 400', async () => {
    await expectOpenAIError(await fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: '{"model":' }), 400, 'invalid_value');
  });

  it('invalid parameter → 400 naming it', async () => {
    const response = await fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: chatBody({ messages: [] }) });
    await expectOpenAIError(response, 400, 'invalid_value', 'messages');
  });

  it('explicit nulls count as absent', async () => {
    const response = await fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: chatBody({ temperature: null, stop: null, tools: null, n: null }) });
    expect(response.status).toBe(200);
  });

  it('body too large → 413', async () => {
    const response = await fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: chatBody({ messages: [{ role: 'user', content: 'x'.repeat(4096) }] }) });
    await expectOpenAIError(response, 413, 'payload_too_large');
  });

  it('unknown model → 404 model_not_found on every endpoint', async () => {
    for (const [path, body] of [
      ['/v1/chat/completions', chatBody({ model: 'ghost:1b' })],
      ['/v1/completions', JSON.stringify({ model: 'ghost:1b', prompt: 'x' })],
      ['/v1/embeddings', JSON.stringify({ model: 'ghost:1b', input: 'x' })],
    ] as const) {
      await expectOpenAIError(await fetch(`${app.url}${path}`, { method: 'POST', headers: auth, body }), 404, 'model_not_found', 'model');
    }
    await expectOpenAIError(await fetch(`${app.url}/v1/models/ghost:1b`, { headers: auth }), 404, 'model_not_found', 'model');
  });

  it('upstream timeout → 504', async () => {
    fake.script('/api/chat', hang());
    await expectOpenAIError(await fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: chatBody() }), 504, 'upstream_timeout');
  });

  it('an unexpected failure → 500 without its details', async () => {
    const failing: ChatBackend = {
      complete: async () => {
        throw new Error('database password is hunter2');
      },
      stream: () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('x')) }) }),
      completeText: async () => Promise.reject(new Error('x')),
      streamText: () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('x')) }) }),
      embed: async () => Promise.reject(new Error('x')),
      listModels: async () => [],
    };
    const broken = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY }, overrides: { backend: failing } });
    try {
      const error = await expectOpenAIError(await fetch(`${broken.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: chatBody() }), 500, 'internal_error');
      expect(String(error.message)).not.toContain('hunter2');
      expect(broken.logs.some((line) => line.includes('request failed'))).toBe(true);
    } finally {
      await broken.close();
    }
  });
});

describe('when Ollama is down', () => {
  it('answers 502 upstream_unavailable', async () => {
    const port = await closedPort();
    const down = await startTestApp({ ollamaUrl: `http://127.0.0.1:${port}`, env: { MASTER_KEY: KEY } });
    try {
      await expectOpenAIError(await fetch(`${down.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: chatBody() }), 502, 'upstream_unavailable');
    } finally {
      await down.close();
    }
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

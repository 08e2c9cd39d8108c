import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let fake: FakeOllama;
let app: TestApp;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({
    ollamaUrl: fake.url,
    file: {
      models: {
        aliases: { 'deepseek-reasoner': 'deepseek-r1:32b', coder: 'deepseek-coder-v2:16b' },
        defaults: { 'deepseek-r1': { options: { num_ctx: 32768 }, keepAlive: '30m' } },
      },
    },
  });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const chat = (body: Record<string, unknown>) =>
  fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }) });
const sent = () => fake.requests.filter((request) => request.path === '/api/chat').at(-1)!.body as Record<string, unknown>;

describe('models settings from CONFIG_FILE', () => {
  it('applies per-model default options and keep_alive to every deepseek-r1 tag', async () => {
    expect((await chat({ model: 'deepseek-r1:7b' })).status).toBe(200);
    expect(sent()).toMatchObject({ options: { num_ctx: 32768 }, keep_alive: '30m' });
  });

  it('lets the client override them with num_ctx, options and keep_alive extra fields', async () => {
    await chat({ model: 'deepseek-r1:7b', num_ctx: 4096, keep_alive: 0, options: { num_gpu: 10 } });
    expect(sent()).toMatchObject({ options: { num_ctx: 4096, num_gpu: 10 }, keep_alive: 0 });
  });

  it('treats names of built-in object properties as plain model names (404 model_not_found, sent as they are)', async () => {
    for (const model of ['constructor', 'toString', '__proto__']) {
      const response = await chat({ model });
      expect(response.status, model).toBe(404);
      expect(await response.json(), model).toMatchObject({ error: { code: 'model_not_found' } });
      expect(sent().model, model).toBe(model);
    }
  });

  it('sends no options for models without defaults when the client sets none', async () => {
    await chat({ model: 'deepseek-v3.1:671b' });
    expect(sent().options).toBeUndefined();
    expect(sent().keep_alive).toBeUndefined();
  });

  it('resolves configured aliases before the defaults apply', async () => {
    await chat({ model: 'deepseek-reasoner' });
    expect(sent()).toMatchObject({ model: 'deepseek-r1:32b', options: { num_ctx: 32768 } });
    const response = await fetch(`${app.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'coder', prompt: 'x', suffix: 'y' }) });
    expect(response.status).toBe(200);
    expect((fake.requests.find((request) => request.path === '/api/generate')!.body as { model: string }).model).toBe('deepseek-coder-v2:16b');
  });

  it('maps reasoning_effort none to think false', async () => {
    await chat({ model: 'deepseek-r1:7b', reasoning_effort: 'none' });
    expect(sent().think).toBe(false);
  });
});

import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let fake: FakeOllama;
let app: TestApp;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: 'sk-model-listing-master-key' } });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});

describe('model listing for a key with a model allow-list', () => {
  it('lists only the models the key may use, and hides the others from GET /v1/models/{id}', async () => {
    const { secret } = await app.access.keys.createKey({ name: 'r1-only', scopes: ['models:read', 'chat'], models: ['deepseek-r1:*'] });
    const client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: secret, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith('deepseek-r1:'))).toBe(true);
    expect((await client.models.retrieve('deepseek-r1:7b')).id).toBe('deepseek-r1:7b');
    await expect(client.models.retrieve('deepseek-v3.1:671b')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('lists everything for a key without an allow-list', async () => {
    const { secret } = await app.access.keys.createKey({ name: 'all', scopes: ['models:read'] });
    const client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: secret, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['deepseek-r1:7b', 'deepseek-v3.1:671b', 'deepseek-chat']));
  });
});

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

describe('GET /v1/models/{id} for alias names', () => {
  let aliased: TestApp;
  beforeAll(async () => {
    aliased = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: 'sk-model-alias-master-key' }, file: { models: { aliases: { 'claude-*': 'deepseek-r1:7b', 'my-coder': 'deepseek-v3.1:671b' } } } });
  });
  afterAll(() => aliased.close());

  it('answers an agent name a wildcard alias maps, under the requested name, owned like the others', async () => {
    const client = new OpenAI({ baseURL: `${aliased.url}/v1`, apiKey: 'sk-model-alias-master-key', maxRetries: 0 });
    const model = await client.models.retrieve('claude-sonnet-4-5');
    const target = await client.models.retrieve('deepseek-r1:7b');
    expect(model).toEqual({ ...target, id: 'claude-sonnet-4-5' });
    expect((await client.models.retrieve('my-coder')).id).toBe('my-coder');
    // A built-in agent alias (no configuration) resolves to an installed DeepSeek model too.
    expect((await client.models.retrieve('gpt-5-codex')).id).toBe('gpt-5-codex');
    await expect(client.models.retrieve('not-a-model-anywhere')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('keeps the allow-list: an alias reaching a model the key may not use is 404', async () => {
    const { secret } = await aliased.access.keys.createKey({ name: 'v3-only', scopes: ['models:read'], models: ['deepseek-v3*', 'my-*'] });
    const client = new OpenAI({ baseURL: `${aliased.url}/v1`, apiKey: secret, maxRetries: 0 });
    expect((await client.models.retrieve('my-coder')).id).toBe('my-coder');
    await expect(client.models.retrieve('claude-sonnet-4-5')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

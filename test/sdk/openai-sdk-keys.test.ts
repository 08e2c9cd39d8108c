import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER_KEY, startAccessApp, type AccessApp } from '../helpers/access-app.js';
import { dropSchemas, keyStoreBackends } from '../helpers/key-store-backends.js';

// The official openai client with a key issued through the admin API (and with a JWT made from it), on SQLite
// and PostgreSQL: what a user does after following the README's access-control section.

const backends = await keyStoreBackends();
afterAll(dropSchemas);

describe.each(backends)('openai SDK with an issued key ($name)', (backend) => {
  let t: AccessApp;
  let id: string;
  let client: OpenAI;
  beforeAll(async () => {
    t = await startAccessApp(backend);
    const key = await t.createKey({ name: 'sdk', scopes: ['chat', 'models:read'], models: ['deepseek-r1:*'] });
    id = key.id;
    client = new OpenAI({ baseURL: `${t.app.url}/v1`, apiKey: key.secret, maxRetries: 0 });
  });
  afterAll(() => t.close());

  it('chats, streams and lists models', async () => {
    const completion = await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'hello' }] });
    expect(completion.choices[0]!.message.content).toBe('Echo: hello');
    const stream = await client.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'again' }], stream: true });
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    expect(content).toBe('Echo: again');
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('deepseek-r1:7b');
  });

  it('raises PermissionDeniedError naming a model the key may not use, and a scope it lacks', async () => {
    const model = client.chat.completions.create({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'x' }] });
    await expect(model).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    await expect(model).rejects.toThrow(/'qwen3:8b'/);
    const scope = client.embeddings.create({ model: 'deepseek-r1:7b', input: 'x' });
    await expect(scope).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    await expect(scope).rejects.toThrow(/'embeddings'/);
  });

  it('works with a JWT from POST /api/v1/auth as the api key', async () => {
    const key = await t.createKey({ name: 'jwt', scopes: ['chat'] });
    const token = await t.call<{ token: string }>('POST', '/api/v1/auth', { body: { client_id: key.id, secret: key.secret } });
    const viaToken = new OpenAI({ baseURL: `${t.app.url}/v1`, apiKey: token.body.token, maxRetries: 0 });
    const completion = await viaToken.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'jwt' }] });
    expect(completion.choices[0]!.message.content).toBe('Echo: jwt');
  });

  it('raises AuthenticationError once the key is revoked', async () => {
    expect((await t.call('DELETE', `/api/v1/keys/${id}`, { key: MASTER_KEY })).status).toBe(200);
    await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeModel, startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// Embeddings micro-batching: concurrent single-input /v1/embeddings requests become one /api/embed call.
// The window is long here, so the batch goes when it is full (8 inputs): the count cannot depend on timing.

describe('embeddings micro-batching', () => {
  let fake: FakeOllama;
  let app: TestApp;
  let client: OpenAI;
  const inputs = Array.from({ length: 8 }, (_, index) => `sentence number ${index} ${'word '.repeat(index)}`);

  beforeAll(async () => {
    fake = await startFakeOllama({ models: [fakeModel('embedder:1b', { capabilities: ['embedding'] })] });
    app = await startTestApp({ ollamaUrl: fake.url, env: { EMBED_BATCH_WINDOW_MS: '60000', EMBED_BATCH_MAX_INPUTS: '8' } });
    client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  it('sends 8 concurrent requests as one upstream call and gives each its own vector and usage', async () => {
    // What one call with all 8 inputs returns (8 inputs = a full batch, sent alone); kept out of the response cache.
    const whole = await client.embeddings.create({ model: 'embedder:1b', input: inputs }, { headers: { 'cache-control': 'no-cache, no-store' } });
    expect(fake.requests.filter((r) => r.path === '/api/embed')).toHaveLength(1);
    fake.reset();

    const answers = await Promise.all(inputs.map((input) => client.embeddings.create({ model: 'embedder:1b', input })));
    const calls = fake.requests.filter((r) => r.path === '/api/embed');
    expect(calls).toHaveLength(1);
    expect((calls[0]!.body as { input: string[] }).input.slice().sort()).toEqual(inputs.slice().sort());

    answers.forEach((answer, index) => {
      expect(answer.data).toHaveLength(1);
      expect(answer.data[0]!.embedding).toEqual(whole.data[index]!.embedding);
      expect(answer.usage.prompt_tokens).toBeGreaterThan(0);
    });
    expect(answers.reduce((sum, answer) => sum + answer.usage.prompt_tokens, 0)).toBe(whole.usage.prompt_tokens);

    // The batch-size histogram saw one upstream call carrying 8 requests (the full-size request went alone, unbatched).
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('ollama_embed_batch_requests_count{model="embedder:1b"} 1');
    expect(metrics).toContain('ollama_embed_batch_requests_sum{model="embedder:1b"} 8');
    expect(metrics).toContain('ollama_embed_batch_requests_bucket{le="4",model="embedder:1b"} 0');
  });
});

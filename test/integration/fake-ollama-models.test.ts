import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

type Json = Record<string, unknown>;

const send = (method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(`${fake.url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const json = async (res: Response): Promise<Json> => (await res.json()) as Json;
const lines = async (res: Response): Promise<Json[]> =>
  (await res.text()).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Json);
const tagNames = async (): Promise<unknown[]> =>
  ((await json(await send('GET', '/api/tags')))['models'] as Json[]).map((m) => m['name']);

describe('fake Ollama: model listing', () => {
  it('lists the default models in /api/tags with details and capabilities', async () => {
    const body = await json(await send('GET', '/api/tags'));
    const models = body['models'] as Json[];
    expect(models.map((m) => m['name'])).toContain('deepseek-v3.1:671b');
    expect(models.find((m) => m['name'] === 'deepseek-coder-v2:16b')).toMatchObject({
      model: 'deepseek-coder-v2:16b',
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      size: expect.any(Number),
      details: { format: 'gguf', family: 'deepseek2', parameter_size: '15.7B', quantization_level: 'Q4_0' },
      capabilities: ['completion', 'insert'],
    });
  });

  it('shows model_info with the architecture keys, and 404 for an unknown model', async () => {
    const body = await json(await send('POST', '/api/show', { model: 'deepseek-r1:7b' }));
    expect(body).toMatchObject({
      capabilities: ['completion', 'thinking'],
      details: { family: 'qwen2' },
      model_info: { 'general.architecture': 'qwen2', 'qwen2.context_length': 131_072, 'qwen2.block_count': 28 },
    });
    expect(body['parameters']).toMatch(/^temperature\s+0\.6$/m);
    const missing = await send('POST', '/api/show', { model: 'ghost' });
    expect([missing.status, await json(missing)]).toEqual([404, { error: "model 'ghost' not found" }]);
  });

  it('reports its version', async () => {
    expect(await json(await send('GET', '/api/version'))).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
  });
});

describe('fake Ollama: embeddings', () => {
  it('returns one L2-normalised vector per input, equal for equal texts', async () => {
    const body = await json(await send('POST', '/api/embed', { model: 'nomic-embed-text', input: ['a', 'b', 'a'] }));
    const [a, b, again] = body['embeddings'] as number[][];
    expect(a).toHaveLength(768);
    expect(Math.hypot(...(a ?? []))).toBeCloseTo(1, 5);
    expect(again).toEqual(a);
    expect(b).not.toEqual(a);
    expect(body['prompt_eval_count']).toBeGreaterThan(0);
  });

  it('answers the legacy /api/embeddings with a single `embedding`', async () => {
    const body = await json(await send('POST', '/api/embeddings', { model: 'nomic-embed-text', prompt: 'hi' }));
    expect(body['embedding']).toHaveLength(768);
  });

  it('says "try pulling it first" for an unknown model', async () => {
    const res = await send('POST', '/api/embed', { model: 'ghost', input: 'x' });
    expect([res.status, await json(res)]).toEqual([404, { error: 'model "ghost" not found, try pulling it first' }]);
  });
});

describe('fake Ollama: model management', () => {
  it('streams pull progress and installs the model', async () => {
    const body = await lines(await send('POST', '/api/pull', { model: 'llama3.2:1b' }));
    expect(body[0]).toEqual({ status: 'pulling manifest' });
    expect(body.find((l) => typeof l['completed'] === 'number')).toMatchObject({ digest: expect.stringMatching(/^sha256:/), total: expect.any(Number) });
    expect(body.slice(-3)).toEqual([{ status: 'verifying sha256 digest' }, { status: 'writing manifest' }, { status: 'success' }]);
    expect(await tagNames()).toContain('llama3.2:1b');
  });

  it('reports a missing registry model as an error line, or 500 with stream:false', async () => {
    const streamed = await send('POST', '/api/pull', { model: 'doesnotexist:1b' });
    expect(streamed.status).toBe(200);
    expect((await lines(streamed)).at(-1)).toEqual({ error: 'pull model manifest: file does not exist' });
    const single = await send('POST', '/api/pull', { model: 'doesnotexist:1b', stream: false });
    expect(single.status).toBe(500);
  });

  it('creates a derived model whose system, parameters and messages /api/show reports', async () => {
    const created = await send('POST', '/api/create', {
      model: 'r1-32k', from: 'deepseek-r1:7b', system: 'Be terse.', parameters: { num_ctx: 32768 },
      messages: [{ role: 'user', content: 'hi' }], stream: false,
    });
    expect(await json(created)).toEqual({ status: 'success' });
    const show = await json(await send('POST', '/api/show', { model: 'r1-32k' }));
    expect(show).toMatchObject({ system: 'Be terse.', messages: [{ role: 'user', content: 'hi' }], details: { parent_model: 'deepseek-r1:7b' } });
    expect(show['parameters']).toMatch(/^num_ctx\s+32768$/m);
    expect(await tagNames()).toContain('r1-32k');
  });

  it('refuses create without from or files', async () => {
    const res = await send('POST', '/api/create', { model: 'x' });
    expect([res.status, await json(res)]).toEqual([400, { error: "neither 'from' or 'files' was specified" }]);
  });

  it('copies and deletes models with empty 200 bodies, 404 afterwards', async () => {
    const copy = await send('POST', '/api/copy', { source: 'qwen3:8b', destination: 'my-qwen' });
    expect([copy.status, await copy.text()]).toEqual([200, '']);
    expect(await tagNames()).toContain('my-qwen');
    expect((await send('DELETE', '/api/delete', { model: 'my-qwen' })).status).toBe(200);
    const again = await send('DELETE', '/api/delete', { model: 'my-qwen' });
    expect([again.status, await json(again)]).toEqual([404, { error: "model 'my-qwen' not found" }]);
  });

  it('accepts a blob whose digest matches and reports it with HEAD', async () => {
    const data = Buffer.from('adapter weights');
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    expect((await fetch(`${fake.url}/api/blobs/${digest}`, { method: 'HEAD' })).status).toBe(404);
    expect((await fetch(`${fake.url}/api/blobs/${digest}`, { method: 'POST', body: data })).status).toBe(201);
    expect((await fetch(`${fake.url}/api/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200);
  });

  it('restores the initial models on reset()', async () => {
    await send('DELETE', '/api/delete', { model: 'qwen3:8b' });
    fake.reset();
    expect(await tagNames()).toContain('qwen3:8b');
  });
});

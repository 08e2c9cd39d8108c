import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replyJson, startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { parseSse } from '../../helpers/read-sse.js';
import { adminCall, type AdminCall } from '../../helpers/admin-call.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// The model-management API against the fake Ollama: what an operator sees, and what reaches Ollama.

const KEY = 'sk-test-master-key-ops-0123456789';
type Json = Record<string, unknown>;
let fake: FakeOllama;
let app: TestApp;
let call: AdminCall;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY } });
  call = adminCall(app.url, KEY);
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const ndjson = async (res: Response): Promise<Json[]> => (await res.text()).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Json);
const ollamaCalls = (path: string) => fake.requests.filter((request) => request.path === path).map((request) => request.body as Json);

describe('GET /api/v1/models', () => {
  it('lists installed models with size, capabilities, context length and load state', async () => {
    await call('POST', '/api/v1/models', { model_name: 'deepseek-r1:7b' });
    const res = await call('GET', '/api/v1/models');
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: Json[] };
    expect(data.find((model) => model.name === 'deepseek-r1:7b')).toEqual({
      name: 'deepseek-r1:7b', size_bytes: 4_683_075_271, family: 'qwen2', parameter_size: '7.6B', quantization: 'Q4_K_M',
      capabilities: ['completion', 'thinking'], context_length: 131_072, loaded: true, vram_bytes: 4_683_075_271, expires_at: expect.any(String),
    });
    expect(data.find((model) => model.name === 'qwen3:8b')).toMatchObject({ context_length: 40_960, loaded: false, vram_bytes: null });
  });

  it('takes capabilities from /api/show when /api/tags does not list them (Ollama before the list carried them)', async () => {
    const tags = fake.models.map(({ name, size, digest, modifiedAt, details }) => ({ name, model: name, modified_at: modifiedAt, size, digest, details }));
    fake.script('/api/tags', replyJson({ models: tags }));
    const { data } = (await (await call('GET', '/api/v1/models')).json()) as { data: Json[] };
    expect(data.find((model) => model.name === 'deepseek-v3.1:671b')).toMatchObject({ capabilities: ['completion', 'tools', 'thinking'] });
    expect(data.find((model) => model.name === 'nomic-embed-text:latest')).toMatchObject({ capabilities: ['embedding'] });
  });
});

describe('POST /api/v1/models', () => {
  it('derives num_gpu from memory_limit and the model size and block count, and loads on the chosen GPU', async () => {
    const res = await call('POST', '/api/v1/models', { model_name: 'deepseek-r1:7b', gpu_id: 1, memory_limit: '2G', keep_alive: '30m' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({
      model: 'deepseek-r1:7b', pulled: false, loaded: true, gpu_id: 1, num_gpu: 11, keep_alive: '30m',
      // 13 layers of weights would fit 2 GiB; the KV cache (4 KV heads × 128 dims at num_ctx 4096) and the graph take two.
      decision: {
        num_gpu: 11, total_layers: 29, memory_limit_bytes: 2 * 1024 ** 3, num_ctx: 4096,
        kv_cache_layer_bytes: 4096 * 4 * 256 * 2, compute_graph_bytes: 4 * 512 * (1 + 4 * 3584 + 4096 * 29),
        reason: expect.stringMatching(/holds 11 of 29 layers.*KV cache per layer.*compute graph/),
      },
      memory: { vram_bytes: expect.any(Number) },
    });
    expect(ollamaCalls('/api/generate')).toEqual([{ model: 'deepseek-r1:7b', prompt: '', stream: false, keep_alive: '30m', options: { main_gpu: 1, num_gpu: 11 } }]);
    expect(fake.loaded.map((model) => model.name)).toEqual(['deepseek-r1:7b']);
  });

  it('passes num_gpu through as given', async () => {
    const body = (await (await call('POST', '/api/v1/models', { model_name: 'qwen3:8b', num_gpu: 5 })).json()) as Json;
    expect(body).toMatchObject({ num_gpu: 5, decision: { reason: 'num_gpu 5 as requested.' } });
    expect(ollamaCalls('/api/generate')[0]).toMatchObject({ options: { num_gpu: 5 } });
  });

  it('answers 400 when the memory limit is smaller than one layer, and loads nothing', async () => {
    const res = await call('POST', '/api/v1/models', { model_name: 'deepseek-r1:7b', memory_limit: '64M' });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: Json };
    expect(error).toMatchObject({ param: 'memory_limit', code: 'invalid_value', message: expect.stringMatching(/smaller than one layer of 'deepseek-r1:7b'/) });
    expect(ollamaCalls('/api/generate')).toEqual([]);
  });

  it('refuses num_gpu with memory_limit before pulling anything', async () => {
    const res = await call('POST', '/api/v1/models', { model_name: 'llama3.2:1b', num_gpu: 3, memory_limit: '8G' });
    expect(res.status).toBe(400);
    expect(ollamaCalls('/api/pull')).toEqual([]);
  });

  it('pulls a missing model, then loads it, answering with one JSON result', async () => {
    const res = await call('POST', '/api/v1/models', { model_name: 'llama3.2:1b', memory_limit: '50%' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ model: 'llama3.2:1b', pulled: true, loaded: true, num_gpu: 16 });
    expect(ollamaCalls('/api/pull')).toEqual([{ model: 'llama3.2:1b', stream: true }]);
    expect(fake.models.map((model) => model.name)).toContain('llama3.2:1b');
  });

  it('streams pull progress as NDJSON when asked, ending with the result', async () => {
    const res = await call('POST', '/api/v1/models', { model_name: 'llama3.2:1b', stream: true });
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = await ndjson(res);
    expect(lines[0]).toEqual({ status: 'pulling manifest' });
    expect(lines.filter((line) => typeof line.completed === 'number').length).toBeGreaterThan(3);
    expect(lines.at(-2)).toEqual({ status: 'success' });
    expect(lines.at(-1)).toMatchObject({ status: 'done', result: { model: 'llama3.2:1b', pulled: true, loaded: true } });
  });

  it('streams the same as SSE for Accept: text/event-stream', async () => {
    const res = await call('POST', '/api/v1/models', { model_name: 'llama3.2:1b' }, { accept: 'text/event-stream' });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { data } = parseSse(await res.text());
    expect(JSON.parse(data[0]!)).toEqual({ status: 'pulling manifest' });
    expect(JSON.parse(data.at(-2)!)).toMatchObject({ status: 'done', result: { pulled: true } });
    expect(data.at(-1)).toBe('[DONE]');
  });

  it('pulls without loading when load is false', async () => {
    const body = (await (await call('POST', '/api/v1/models', { model_name: 'llama3.2:1b', load: false })).json()) as Json;
    expect(body).toMatchObject({ pulled: true, loaded: false, decision: null });
    expect(ollamaCalls('/api/generate')).toEqual([]);
  });

  it('answers 404 model_not_found for a model the registry does not have', async () => {
    const res = await call('POST', '/api/v1/models', { model_name: 'doesnotexist:1b' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: Json }).error).toMatchObject({ code: 'model_not_found', message: expect.stringContaining('doesnotexist:1b') });
  });

  it('ends a progress stream that already started with an error line', async () => {
    const res = await call('POST', '/api/v1/models', { model_name: 'doesnotexist:1b', stream: true });
    const lines = await ndjson(res);
    expect(lines[0]).toEqual({ status: 'pulling manifest' });
    expect(lines.at(-1)).toEqual({ error: expect.objectContaining({ code: 'model_not_found', type: 'invalid_request_error' }) });
  });

  it('reports a 400 naming the field for a bad body', async () => {
    const res = await call('POST', '/api/v1/models', { model_name: 'x', gpu_id: -1 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: Json }).error.param).toBe('gpu_id');
  });
});

describe('DELETE /api/v1/models/{name}', () => {
  it('unloads with keep_alive 0', async () => {
    await call('POST', '/api/v1/models', { model_name: 'deepseek-r1:7b' });
    const res = await call('DELETE', '/api/v1/models/deepseek-r1:7b');
    expect(await res.json()).toEqual({ model: 'deepseek-r1:7b', unloaded: true, was_loaded: true });
    expect(ollamaCalls('/api/generate').at(-1)).toEqual({ model: 'deepseek-r1:7b', prompt: '', stream: false, keep_alive: 0 });
    expect(fake.loaded).toEqual([]);
    expect(fake.models.map((model) => model.name)).toContain('deepseek-r1:7b');
  });

  it('answers 404 for a model that is not installed', async () => {
    const res = await call('DELETE', '/api/v1/models/ghost:1b');
    expect(res.status).toBe(404);
  });
});

describe('access', () => {
  it('needs a key', async () => {
    const res = await fetch(`${app.url}/api/v1/models`);
    expect(res.status).toBe(401);
  });

  it('needs the admin scope', async () => {
    const limited = await startTestApp({
      ollamaUrl: fake.url,
      overrides: { authenticator: () => ({ id: 'key_1', kind: 'api-key', scopes: ['chat', 'models:read'] }) },
    });
    try {
      for (const [method, path] of [['GET', '/api/v1/models'], ['POST', '/api/v1/models'], ['DELETE', '/api/v1/models/x'], ['GET', '/api/v1/finetune'], ['PUT', '/api/v1/logs']] as const) {
        const res = await fetch(`${limited.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? null : '{}' });
        expect([path, res.status]).toEqual([path, 403]);
      }
    } finally {
      await limited.close();
    }
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hang, startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { adminCall, type AdminCall } from '../../helpers/admin-call.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// Fine-tune jobs through the HTTP API against the fake Ollama, with the built-in modelfile trainer.

const KEY = 'sk-test-master-key-ops-0123456789';
const FIXTURES = join(import.meta.dirname, '../../fixtures/finetune');
const SUPPORT = join(FIXTURES, 'support.jsonl');
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

const status = async (id: string) => (await (await call('GET', `/api/v1/finetune/${id}/status`)).json()) as Json;
const errorOf = async (res: Response) => ((await res.json()) as { error: Json }).error;
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('modelfile trainer', () => {
  it('creates a derived model that answers through /v1/chat/completions at once', async () => {
    const res = await call('POST', '/api/v1/finetune', {
      base_model: 'deepseek-r1:7b', training_data: SUPPORT, suffix: 'support', hyperparams: { temperature: 0.3, n_epochs: 3 },
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Json;
    expect(res.headers.get('location')).toBe(`/api/v1/finetune/${created.task_id as string}/status`);
    expect(created).toMatchObject({ task_id: expect.stringMatching(/^ftjob-/), status: expect.stringMatching(/queued|running/), model: 'deepseek-r1:7b-ft-support', training_examples: 4 });
    await app.finetune.jobs.idle();

    const job = await status(created.task_id as string);
    expect(job).toMatchObject({ status: 'succeeded', progress: 1, trainer: 'modelfile', base_model: 'deepseek-r1:7b', error: null, finished_at: expect.any(String) });
    const events = job.events as { at: string; status: string; message: string }[];
    expect(events.map((event) => event.status)).toEqual(expect.arrayContaining(['queued', 'running', 'succeeded']));
    expect(events.every((event) => !Number.isNaN(Date.parse(event.at)))).toBe(true);
    expect(events.map((event) => event.message).join('\n')).toMatch(/Prompt-level tuning, not weight training[\s\S]*Ignored \(they need weight training\): n_epochs/);

    const sent = fake.requests.find((request) => request.path === '/api/create')!.body as Json;
    expect(sent).toMatchObject({ model: 'deepseek-r1:7b-ft-support', from: 'deepseek-r1:7b', system: expect.stringContaining('support assistant of Acme'), parameters: { temperature: 0.3 } });
    expect(sent.messages).toHaveLength(8);

    const client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'deepseek-r1:7b-ft-support', messages: [{ role: 'user', content: 'Where is my invoice?' }] });
    expect(completion.choices[0]!.message.content).toBe('Echo: Where is my invoice?');
    expect(completion.model).toBe('deepseek-r1:7b-ft-support');
  });

  it('rejects a bad JSONL line with a 400 naming it, and queues nothing', async () => {
    const before = ((await (await call('GET', '/api/v1/finetune')).json()) as { data: unknown[] }).data.length;
    const res = await call('POST', '/api/v1/finetune', { base_model: 'deepseek-r1:7b', training_data: join(FIXTURES, 'bad-line.jsonl') });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ param: 'training_data', message: 'training_data has 1 invalid line: line 3: needs at least one assistant message.' });
    expect(((await (await call('GET', '/api/v1/finetune')).json()) as { data: unknown[] }).data).toHaveLength(before);
  });

  it('answers 404 for a base model that does not exist', async () => {
    const res = await call('POST', '/api/v1/finetune', { base_model: 'ghost:1b', training_data: SUPPORT });
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: 'model_not_found' });
  });

  it('refuses to overwrite an installed model', async () => {
    const res = await call('POST', '/api/v1/finetune', { base_model: 'deepseek-r1:7b', training_data: SUPPORT, model: 'qwen3:8b' });
    expect(res.status).toBe(409);
  });

  it('refuses a file that does not exist and an unknown trainer', async () => {
    expect(await errorOf(await call('POST', '/api/v1/finetune', { base_model: 'deepseek-r1:7b', training_data: join(FIXTURES, 'nope.jsonl') })))
      .toMatchObject({ param: 'training_data', message: expect.stringContaining('ENOENT') });
    expect((await call('POST', '/api/v1/finetune', { base_model: 'deepseek-r1:7b', training_data: SUPPORT, trainer: 'magic' })).status).toBe(400);
    expect(await errorOf(await call('POST', '/api/v1/finetune', { base_model: 'deepseek-r1:7b', training_data: SUPPORT, trainer: 'adapter' })))
      .toMatchObject({ param: 'trainer', message: expect.stringContaining('FINETUNE_ADAPTER_COMMAND') });
  });

  it('reads training data from an http URL and does not show its query string', async () => {
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/data.jsonl')) res.end(readFileSync(SUPPORT));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const res = await call('POST', '/api/v1/finetune', { base_model: 'qwen3:8b', training_data: `${base}/data.jsonl?token=secret` });
      const created = (await res.json()) as Json;
      expect(created.training_data).toBe(`${base}/data.jsonl`);
      await app.finetune.jobs.idle();
      expect((await status(created.task_id as string)).status).toBe('succeeded');
      expect(await errorOf(await call('POST', '/api/v1/finetune', { base_model: 'qwen3:8b', training_data: `${base}/missing.jsonl` })))
        .toMatchObject({ message: 'training_data URL answered HTTP 404.' });
    } finally {
      server.close();
    }
  });
});

describe('job control', () => {
  it('cancels a running job (the Ollama call is aborted) and a queued one, and lists both', async () => {
    fake.script('/api/create', hang());
    const first = (await (await call('POST', '/api/v1/finetune', { base_model: 'deepseek-r1:7b', training_data: SUPPORT })).json()) as Json;
    const second = (await (await call('POST', '/api/v1/finetune', { base_model: 'deepseek-r1:7b', training_data: SUPPORT })).json()) as Json;
    await until(() => fake.requests.some((request) => request.path === '/api/create'));
    expect((await status(second.task_id as string)).status).toBe('queued');

    const queued = await call('DELETE', `/api/v1/finetune/${second.task_id as string}`);
    expect(await queued.json()).toMatchObject({ status: 'cancelled', started_at: null });
    const running = await call('POST', `/api/v1/finetune/${first.task_id as string}/cancel`);
    expect(await running.json()).toMatchObject({ status: 'cancelled', error: null, started_at: expect.any(String) });
    await until(() => fake.closedRequests > 0);

    const again = await call('POST', `/api/v1/finetune/${first.task_id as string}/cancel`);
    expect(again.status).toBe(409);
    const { data } = (await (await call('GET', '/api/v1/finetune')).json()) as { data: Json[] };
    expect(data.filter((job) => job.task_id === first.task_id || job.task_id === second.task_id).map((job) => job.status)).toEqual(['cancelled', 'cancelled']);
    expect(data[0]).not.toHaveProperty('events');
  });

  it('answers 404 for an unknown job', async () => {
    expect((await call('GET', '/api/v1/finetune/ftjob-nope/status')).status).toBe(404);
  });
});

describe('FINETUNE_DATA_DIR', () => {
  it('keeps local paths inside the configured directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ft-data-'));
    const confined = await startTestApp({ ollamaUrl: fake.url, env: { FINETUNE_DATA_DIR: FIXTURES } });
    try {
      const post = (training_data: string) =>
        fetch(`${confined.url}/api/v1/finetune`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ base_model: 'deepseek-r1:7b', training_data }) });
      expect((await post('support.jsonl')).status).toBe(201);
      expect((await post('../finetune/../../../package.json')).status).toBe(400);
      expect((await post('/etc/passwd')).status).toBe(400);
      await confined.finetune.jobs.idle();
    } finally {
      await confined.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

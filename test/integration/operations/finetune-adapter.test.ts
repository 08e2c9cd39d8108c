import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// The `adapter` trainer with tiny shell scripts standing in for a LoRA trainer.

const FIXTURES = join(import.meta.dirname, '../../fixtures/finetune');
type Json = Record<string, unknown>;
let fake: FakeOllama;
let dataDir: string;
const apps: TestApp[] = [];

beforeAll(async () => {
  fake = await startFakeOllama();
  dataDir = mkdtempSync(join(tmpdir(), 'ft-adapter-'));
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await fake.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function appWith(script: string): Promise<TestApp> {
  const app = await startTestApp({ ollamaUrl: fake.url, env: { DATA_DIR: dataDir, FINETUNE_ADAPTER_COMMAND: `sh '${join(FIXTURES, script)}'` } });
  apps.push(app);
  return app;
}

async function submit(app: TestApp, body: Json): Promise<Json> {
  const res = await fetch(`${app.url}/api/v1/finetune`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return (await res.json()) as Json;
}
const statusOf = async (app: TestApp, id: unknown) => (await (await fetch(`${app.url}/api/v1/finetune/${String(id)}/status`)).json()) as Json;
const messages = (job: Json) => (job.events as { message: string }[]).map((event) => event.message).join('\n');

describe('adapter trainer', () => {
  it('runs the command, uploads its adapter as a blob and creates the model with it', async () => {
    const app = await appWith('train-adapter.sh');
    const created = await submit(app, { base_model: 'qwen3:8b', training_data: join(FIXTURES, 'support.jsonl'), trainer: 'adapter', suffix: 'lora', hyperparams: { lora_rank: 8 } });
    await app.finetune.jobs.idle();
    const job = await statusOf(app, created.task_id);
    expect(job).toMatchObject({ status: 'succeeded', trainer: 'adapter', model: 'qwen3:8b-ft-lora' });
    expect(messages(job)).toContain('adapter command: training qwen3:8b-ft-lora from qwen3:8b on 4 examples');
    expect(messages(job)).toContain('adapter command: hyperparams {"lora_rank":8}');

    const digest = `sha256:${createHash('sha256').update('lora-weights-for-qwen3:8b-ft-lora').digest('hex')}`;
    expect(fake.requests.some((request) => request.path === `/api/blobs/${digest}` && request.method === 'POST')).toBe(true);
    const create = fake.requests.find((request) => request.path === '/api/create')!.body as Json;
    expect(create).toMatchObject({ model: 'qwen3:8b-ft-lora', from: 'qwen3:8b', adapters: { 'adapter.safetensors': digest } });
    expect(fake.models.find((model) => model.name === 'qwen3:8b-ft-lora')?.adapters).toEqual({ 'adapter.safetensors': digest });
    // The per-job working directory is removed afterwards.
    expect(existsSync(join(dataDir, 'finetune')) ? readdirSync(join(dataDir, 'finetune')) : []).toEqual([]);
  });

  it('fails the job with the exit code and the last output lines when the command fails', async () => {
    const app = await appWith('fail-adapter.sh');
    const created = await submit(app, { base_model: 'qwen3:8b', training_data: join(FIXTURES, 'support.jsonl'), trainer: 'adapter' });
    await app.finetune.jobs.idle();
    const job = await statusOf(app, created.task_id);
    expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/exited with code 3: .*CUDA out of memory/) });
  });

  it('stops the command when the job is cancelled', async () => {
    const app = await appWith('slow-adapter.sh');
    const created = await submit(app, { base_model: 'qwen3:8b', training_data: join(FIXTURES, 'support.jsonl'), trainer: 'adapter' });
    while (!messages(await statusOf(app, created.task_id)).includes('adapter command: started')) await new Promise((resolve) => setTimeout(resolve, 20));
    const res = await fetch(`${app.url}/api/v1/finetune/${String(created.task_id)}/cancel`, { method: 'POST' });
    expect(await res.json()).toMatchObject({ status: 'cancelled' });
    await app.finetune.jobs.idle();
    expect(fake.requests.some((request) => request.path === '/api/create' && (request.body as Json).model === created.model)).toBe(false);
  });
});

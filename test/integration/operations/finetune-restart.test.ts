import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJob, transition } from '../../../src/finetune/finetune-job.js';
import { createFinetuneJobStore } from '../../../src/finetune/finetune-job-store.js';
import { createSqliteKvStore } from '../../../src/stores/sqlite-kv-store.js';
import { hang, startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { startTestApp } from '../../helpers/test-app.js';

// Jobs persist in the SQLite KvStore (as in production, DATA_DIR/finetune.db) across restarts.

const SUPPORT = join(import.meta.dirname, '../../fixtures/finetune/support.jsonl');
type Json = Record<string, unknown>;
let fake: FakeOllama;
let dir: string;

beforeAll(async () => {
  fake = await startFakeOllama();
  dir = mkdtempSync(join(tmpdir(), 'ft-restart-'));
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const openStore = () => createSqliteKvStore({ path: join(dir, 'finetune.db') });
const statusOf = async (url: string, id: string) => (await (await fetch(`${url}/api/v1/finetune/${id}/status`)).json()) as Json;

describe('fine-tune jobs across restarts', () => {
  it('marks jobs a crashed process left running or queued as failed, with the reason', async () => {
    const store = await openStore();
    const jobs = createFinetuneJobStore(store);
    const fields = { trainer: 'modelfile' as const, baseModel: 'qwen3:8b', model: 'qwen3:8b-ft-a', trainingData: 'd.jsonl', trainingExamples: 1, hyperparams: {} };
    await jobs.save(transition(createJob({ ...fields, id: 'ftjob-running' }, new Date()), 'running', 'Training started.', new Date()));
    await jobs.save(createJob({ ...fields, id: 'ftjob-queued' }, new Date()));
    const done = transition(createJob({ ...fields, id: 'ftjob-done' }, new Date()), 'succeeded', 'ok', new Date());
    await jobs.save(done);

    const app = await startTestApp({ ollamaUrl: fake.url, finetuneStore: store });
    try {
      expect(await statusOf(app.url, 'ftjob-running')).toMatchObject({ status: 'failed', error: 'Interrupted: the server restarted while the job was running.', finished_at: expect.any(String) });
      expect(await statusOf(app.url, 'ftjob-queued')).toMatchObject({ status: 'failed', error: 'Interrupted: the server restarted while the job was queued.' });
      expect(await statusOf(app.url, 'ftjob-done')).toMatchObject({ status: 'succeeded', finished_at: done.finishedAt });
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('fails a running job with a reason on graceful shutdown, and still shows it after a restart', async () => {
    fake.script('/api/create', hang());
    let store = await openStore();
    const first = await startTestApp({ ollamaUrl: fake.url, finetuneStore: store });
    const res = await fetch(`${first.url}/api/v1/finetune`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ base_model: 'qwen3:8b', training_data: SUPPORT }),
    });
    const id = ((await res.json()) as Json).task_id as string;
    while (!fake.requests.some((request) => request.path === '/api/create')) await new Promise((resolve) => setTimeout(resolve, 10));
    await first.close();
    await store.close();

    store = await openStore();
    const second = await startTestApp({ ollamaUrl: fake.url, finetuneStore: store });
    try {
      const job = await statusOf(second.url, id);
      expect(job).toMatchObject({ status: 'failed', error: 'The server shut down while the job was running.' });
      const { data } = (await (await fetch(`${second.url}/api/v1/finetune`)).json()) as { data: Json[] };
      expect(data.map((entry) => entry.task_id)).toContain(id);
    } finally {
      await second.close();
      await store.close();
    }
  });
});

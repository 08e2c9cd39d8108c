import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/plugins/code-interpreter/sandbox.js';
import { chatJson, replyJson, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Defect 5 of issue 12: six concurrent requests started eight sandbox processes (1.4 GB). Every sandbox process,
// pre-warmed spares included, now counts against CODE_INTERPRETER_MAX_CONCURRENT, with a bounded wait queue.

const MODEL = 'deepseek-v3.1:671b';
const SLOW = { timeout: 120_000 };

describe('the sandbox process cap', SLOW, () => {
  it('never has more processes alive than maxConcurrent, however many runs are asked for at once', async () => {
    const sandbox = createSandbox({ timeoutMs: 5_000, memoryMb: 128, maxOutputBytes: 1_000, maxConcurrent: 2, maxQueued: 20 });
    try {
      const runs = await Promise.all(
        // One Python run among the JavaScript ones: its spare and theirs compete for the same two slots.
        Array.from({ length: 8 }, (_, i) => sandbox.run({ language: i === 3 ? 'python' : 'javascript', code: `${i} * 2` })),
      );
      expect(runs.map((run) => run.result)).toEqual(Array.from({ length: 8 }, (_, i) => String(i * 2)));
      expect(sandbox.stats!().peakLive).toBe(2);
    } finally {
      await sandbox.close();
    }
  });

  it('answers "busy" as a failed run (not an exception) once the wait queue is full', async () => {
    const sandbox = createSandbox({ timeoutMs: 5_000, memoryMb: 128, maxOutputBytes: 1_000, maxConcurrent: 1, maxQueued: 1 });
    try {
      const runs = await Promise.all(Array.from({ length: 4 }, () => sandbox.run({ language: 'javascript', code: '1 + 1' })));
      const busy = runs.filter((run) => run.error?.includes('busy'));
      expect(busy).toHaveLength(2);
      expect(busy[0]).toMatchObject({ ok: false, error: expect.stringMatching(/code interpreter is busy \(1 programs running, 1 waiting\)/) });
      expect(runs.filter((run) => run.ok && run.result === '2')).toHaveLength(2);
      expect(sandbox.stats!().peakLive).toBe(1);
    } finally {
      await sandbox.close();
    }
  });
});

describe('the cap through HTTP', SLOW, () => {
  let fake: FakeOllama;
  let app: TestApp;
  beforeAll(async () => {
    fake = await startFakeOllama();
    app = await startTestApp({
      ollamaUrl: fake.url,
      env: { CODE_INTERPRETER_ENABLED: 'true', CODE_INTERPRETER_MAX_CONCURRENT: '2', CODE_INTERPRETER_MAX_QUEUED: '16', PLUGIN_MAX_TOOL_ROUNDS: '8' },
    });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  it('runs six concurrent code-interpreter requests with never more than two sandbox processes alive', async () => {
    // Six tool calls; whichever round takes one runs code, every later round gets the fake's plain answer.
    fake.script('/api/chat', ...Array.from({ length: 6 }, (_, i) => replyJson(chatJson({ model: MODEL, toolCalls: [{ name: 'code_interpreter', arguments: { language: 'javascript', code: `${i} + 100` } }] }))));
    const responses = await Promise.all(
      Array.from({ length: 6 }, () =>
        fetch(`${app.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: MODEL, plugins: ['code_interpreter'], messages: [{ role: 'user', content: 'compute' }] }),
        }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const runs = app.logs.map((line) => JSON.parse(line) as { message: string; ok?: boolean; peakProcesses?: number }).filter((line) => line.message === 'code interpreter run');
    expect(runs).toHaveLength(6);
    expect(runs.every((run) => run.ok)).toBe(true);
    expect(Math.max(...runs.map((run) => run.peakProcesses ?? Infinity))).toBeLessThanOrEqual(2);
  });
});

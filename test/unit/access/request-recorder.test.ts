import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRequestRecorder, type FinishedRequest, type RequestRecorder } from '../../../src/access/request-recorder.js';
import { silentLogger, type Logger } from '../../../src/core/logger.js';
import type { RequestBatch } from '../../../src/stores/key-store.js';

const T = new Date('2025-03-01T12:00:00.000Z');

function finished(overrides: Partial<FinishedRequest> = {}): FinishedRequest {
  return {
    principal: { id: 'key_a', kind: 'api-key', scopes: ['chat'] }, method: 'POST', route: '/v1/chat/completions',
    model: 'deepseek-r1:7b', status: 200, usage: { promptTokens: 3, completionTokens: 4 }, durationMs: 250,
    requestId: 'req_1', clientIp: '127.0.0.1', ...overrides,
  };
}

function fakeStore(fail = false) {
  const batches: RequestBatch[] = [];
  const pruned: Date[] = [];
  return {
    batches,
    pruned,
    recordRequests: async (batch: RequestBatch) => {
      if (fail) throw new Error('disk full');
      batches.push(batch);
    },
    pruneAudit: async (before: Date) => {
      pruned.push(before);
      return 2;
    },
  };
}

let recorder: RequestRecorder | undefined;
afterEach(async () => {
  await recorder?.close();
  vi.useRealTimers();
});

describe('createRequestRecorder', () => {
  it('buffers records and writes them as one batch on flush, with the start time and a usage increment', async () => {
    const store = fakeStore();
    recorder = createRequestRecorder({ store, logger: silentLogger, retentionDays: 30, now: () => T });
    recorder.record(finished());
    recorder.record(finished({ requestId: 'req_2', model: undefined, usage: undefined, route: '/v1/models', method: 'GET' }));
    expect(store.batches).toEqual([]);
    await recorder.flush();
    expect(store.batches).toHaveLength(1);
    const [batch] = store.batches;
    expect(batch!.audit[0]).toEqual({
      at: new Date(T.getTime() - 250), keyId: 'key_a', route: 'POST /v1/chat/completions', model: 'deepseek-r1:7b',
      status: 200, promptTokens: 3, completionTokens: 4, latencyMs: 250, requestId: 'req_1', clientIp: '127.0.0.1',
    });
    expect(batch!.usage).toEqual([
      { keyId: 'key_a', day: '2025-03-01', model: 'deepseek-r1:7b', requests: 1, promptTokens: 3, completionTokens: 4, cachedTokens: 0 },
      { keyId: 'key_a', day: '2025-03-01', model: '', requests: 1, promptTokens: 0, completionTokens: 0, cachedTokens: 0 },
    ]);
  });

  it('counts cached prompt tokens in the usage increment, not in the audit row', async () => {
    const store = fakeStore();
    recorder = createRequestRecorder({ store, logger: silentLogger, retentionDays: 30, now: () => T });
    recorder.record(finished({ usage: { promptTokens: 30, completionTokens: 4, cachedTokens: 24 } }));
    await recorder.flush();
    const [batch] = store.batches;
    expect(batch!.usage[0]).toMatchObject({ promptTokens: 30, cachedTokens: 24 });
    expect(batch!.audit[0]).not.toHaveProperty('cachedTokens');
  });

  it('records nothing for unauthenticated or anonymous requests', async () => {
    const store = fakeStore();
    recorder = createRequestRecorder({ store, logger: silentLogger, retentionDays: 30 });
    recorder.record(finished({ principal: undefined }));
    recorder.record(finished({ principal: { id: 'anonymous', kind: 'anonymous', scopes: [] } }));
    await recorder.flush();
    expect(store.batches).toEqual([]);
  });

  it('writes on its timer without being asked', async () => {
    vi.useFakeTimers();
    const store = fakeStore();
    recorder = createRequestRecorder({ store, logger: silentLogger, retentionDays: 30, flushIntervalMs: 1_000 });
    recorder.record(finished());
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.batches).toHaveLength(1);
  });

  it('writes a full batch at once', async () => {
    const store = fakeStore();
    recorder = createRequestRecorder({ store, logger: silentLogger, retentionDays: 30, maxBatch: 2 });
    recorder.record(finished());
    recorder.record(finished());
    await Promise.resolve();
    await Promise.resolve();
    expect(store.batches).toHaveLength(1);
  });

  it('logs a failed write and carries on, and drops what exceeds the pending limit', async () => {
    const errors: string[] = [];
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, error: (message) => void errors.push(message), warn: (message) => void warnings.push(message) };
    recorder = createRequestRecorder({ store: fakeStore(true), logger, retentionDays: 30, maxPending: 1 });
    recorder.record(finished());
    recorder.record(finished());
    await expect(recorder.flush()).resolves.toBeUndefined();
    expect(errors).toEqual(['could not store audit and usage records']);
    expect(warnings).toEqual(['dropped audit and usage records: the key store is not keeping up']);
  });

  it('keeps one write in flight while the store hangs, holding at most maxPending records', async () => {
    vi.useFakeTimers();
    const calls: RequestBatch[] = [];
    const warnings: unknown[] = [];
    const hung = { recordRequests: (batch: RequestBatch) => (calls.push(batch), new Promise<void>(() => undefined)), pruneAudit: async () => 0 };
    const logger: Logger = { ...silentLogger, warn: (_message, meta) => void warnings.push(meta) };
    const stuck = createRequestRecorder({ store: hung, logger, retentionDays: 30, maxBatch: 1, maxPending: 2, flushIntervalMs: 100 });
    for (let i = 0; i < 5; i++) stuck.record(finished({ requestId: `req_${i}` }));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.map((batch) => batch.audit.length)).toEqual([1]);
    expect(warnings).toEqual([{ records: 2 }]);
  });

  it('prunes entries older than the retention', async () => {
    const store = fakeStore();
    recorder = createRequestRecorder({ store, logger: silentLogger, retentionDays: 7, now: () => T });
    expect(await recorder.prune()).toBe(2);
    expect(store.pruned).toEqual([new Date(T.getTime() - 7 * 86_400_000)]);
  });

  it('flushes on close', async () => {
    const store = fakeStore();
    const closing = createRequestRecorder({ store, logger: silentLogger, retentionDays: 30 });
    closing.record(finished());
    await closing.close();
    expect(store.batches).toHaveLength(1);
  });
});

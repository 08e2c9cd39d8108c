import { describe, expect, it } from 'vitest';
import type { CallContext, ChatBackend } from '../../../../src/core/chat-backend.js';
import type { ChatRequest } from '../../../../src/core/chat-request.js';
import type { ChatResult } from '../../../../src/core/chat-result.js';
import { silentLogger, type Logger } from '../../../../src/core/logger.js';
import { ANONYMOUS } from '../../../../src/core/principal.js';
import { appendTurn } from '../../../../src/pipeline/memory-strategies/memory-strategy.js';
import { createSessions } from '../../../../src/pipeline/session-memory/create-sessions.js';
import { createSessionSummarizer } from '../../../../src/pipeline/session-memory/session-summarizer.js';
import { createMemoryKvStore } from '../../../../src/stores/memory-kv-store.js';

const debugLines: string[] = [];
const logger: Logger = { ...silentLogger, debug: (message) => void debugLines.push(message), child: () => logger };
const ctx: CallContext = { signal: new AbortController().signal, requestId: 'req_1', principal: ANONYMOUS, logger, outcome: {} };

/** A model whose answers the test releases one by one, counting how many calls overlap. */
function gatedModel() {
  const pending: ((text: string) => void)[] = [];
  const calls: ChatRequest[] = [];
  let active = 0;
  let maxActive = 0;
  const unused = (): never => {
    throw new Error('not used by the summarizer');
  };
  const backend: ChatBackend = {
    stream: unused,
    completeText: unused,
    streamText: unused,
    embed: unused,
    listModels: unused,
    complete(request: ChatRequest): Promise<ChatResult> {
      calls.push(request);
      maxActive = Math.max(maxActive, ++active);
      return new Promise((resolve) =>
        pending.push((text) => {
          active--;
          resolve({ model: request.model, createdAt: new Date(0), message: { role: 'assistant', content: text }, finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 1 } });
        }),
      );
    },
  };
  return { backend, calls, pending, maxActive: () => maxActive };
}

async function sessionWithTurns(turns: number) {
  const registry = createSessions({ kv: createMemoryKvStore(), ttlMs: 60_000, defaults: { strategy: 'hybrid', memorySize: 1000, windowSize: 40, lowWater: 1 } });
  const session = await registry.open('s', ANONYMOUS, ctx.signal);
  let history = session.record.history;
  for (let n = 1; n <= turns; n++) history = appendTurn(history, [{ role: 'user', content: `question ${n} `.repeat(8) }], { role: 'assistant', content: `answer ${n}` });
  await session.save({ ...session.record, model: 'm', history });
  await session.release();
  return registry;
}

describe('createSessionSummarizer', () => {
  it('writes one summary at a time per session and applies it', async () => {
    const registry = await sessionWithTurns(3);
    const model = gatedModel();
    const summarizer = createSessionSummarizer({ registry, backend: model.backend, summarizerModel: 'small' });
    summarizer.schedule('s', ctx);
    summarizer.schedule('s', ctx);
    await expect.poll(() => model.calls.length).toBe(1);
    summarizer.schedule('s', ctx);
    model.pending.shift()!('Three questions were asked.');
    await expect.poll(async () => (await registry.store.load('s'))!.history.summary).toBe('Three questions were asked.');
    expect(model.maxActive()).toBe(1);
    expect(model.calls[0]).toMatchObject({ model: 'small', reasoning: { enabled: false } });
    const { history } = (await registry.store.load('s'))!;
    expect(history.turns.map((turn) => turn.id)).toEqual([3]);
    expect(history.summarizedTurns).toBe(2);
  });

  it('keeps turns committed while the summary was being written', async () => {
    const registry = await sessionWithTurns(3);
    const model = gatedModel();
    createSessionSummarizer({ registry, backend: model.backend }).schedule('s', ctx);
    await expect.poll(() => model.calls.length).toBe(1);
    const session = await registry.open('s', ANONYMOUS, ctx.signal);
    await session.save({ ...session.record, history: appendTurn(session.record.history, [{ role: 'user', content: 'late' }], { role: 'assistant', content: 'ok' }) });
    await session.release();
    model.pending.shift()!('Summary.');
    await expect.poll(async () => (await registry.store.load('s'))!.history.summary).toBe('Summary.');
    expect((await registry.store.load('s'))!.history.turns.map((turn) => turn.id)).toEqual([3, 4]);
  });

  it('drops a summary of a session that was deleted meanwhile', async () => {
    const registry = await sessionWithTurns(3);
    const model = gatedModel();
    createSessionSummarizer({ registry, backend: model.backend }).schedule('s', ctx);
    await expect.poll(() => model.calls.length).toBe(1);
    await registry.forget('s', ANONYMOUS);
    model.pending.shift()!('Summary.');
    await expect.poll(() => debugLines).toContain('session summary dropped: the history moved on meanwhile');
    expect(await registry.store.load('s')).toBeUndefined();
  });
});

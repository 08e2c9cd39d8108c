import { describe, expect, it } from 'vitest';
import { createJob, transition, withEvent } from '../../../src/finetune/finetune-job.js';

const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
const fresh = () => createJob({ id: 'j1', trainer: 'modelfile', baseModel: 'b', model: 'm', trainingData: 'd.jsonl', trainingExamples: 3, hyperparams: {} }, t(0));

describe('fine-tune job life cycle', () => {
  it('starts queued with a timestamped event', () => {
    const job = fresh();
    expect(job).toMatchObject({ status: 'queued', progress: 0, createdAt: t(0).toISOString(), startedAt: null, finishedAt: null, error: null });
    expect(job.events).toEqual([{ at: t(0).toISOString(), status: 'queued', message: expect.stringContaining('3 examples') }]);
  });

  it('records start and finish times and sets progress to 1 on success', () => {
    const running = transition(fresh(), 'running', 'go', t(1));
    const done = transition(running, 'succeeded', 'ok', t(2));
    expect(done).toMatchObject({ status: 'succeeded', progress: 1, startedAt: t(1).toISOString(), finishedAt: t(2).toISOString() });
    expect(done.events.map((event) => event.status)).toEqual(['queued', 'running', 'succeeded']);
  });

  it('keeps the failure reason as the error', () => {
    expect(transition(fresh(), 'failed', 'boom', t(1))).toMatchObject({ status: 'failed', error: 'boom', finishedAt: t(1).toISOString() });
  });

  it('never leaves a final state', () => {
    const cancelled = transition(fresh(), 'cancelled', 'stop', t(1));
    expect(() => transition(cancelled, 'running', 'again', t(2))).toThrow(/already cancelled/);
  });

  it('only moves progress forward', () => {
    const job = withEvent(withEvent(fresh(), 'half', t(1), 0.5), 'back?', t(2), 0.2);
    expect(job.progress).toBe(0.5);
    expect(job.events.at(-1)).toEqual({ at: t(2).toISOString(), status: 'queued', message: 'back?' });
  });

  it('bounds the number of events, keeping the first and the latest', () => {
    let job = fresh();
    for (let i = 0; i < 500; i++) job = withEvent(job, `line ${i}`, t(1));
    expect(job.events).toHaveLength(200);
    expect(job.events[0]!.status).toBe('queued');
    expect(job.events.at(-1)!.message).toBe('line 499');
  });
});

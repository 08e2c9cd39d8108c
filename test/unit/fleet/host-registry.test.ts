import { describe, expect, it } from 'vitest';
import { createFleet, type ReadHostJson } from '../../../src/fleet/host-registry.js';

/** Hosts answering /api/tags and /api/ps from a table; a host missing from it refuses. */
function table(answers: Record<string, { tags: string[]; ps: string[] } | undefined>): ReadHostJson & { calls: string[] } {
  const calls: string[] = [];
  const read: ReadHostJson = async (url, path) => {
    calls.push(url + path);
    const host = answers[url];
    if (host === undefined) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    return { models: (path === '/api/tags' ? host.tags : host.ps).map((name) => ({ name })) };
  };
  return Object.assign(read, { calls });
}

describe('createFleet', () => {
  it('one host: the same candidate list every time and no per-call hooks (fast path)', () => {
    const fleet = createFleet({ hosts: [{ url: 'http://a/' }], read: table({}), refreshMs: 0, cooldownMs: 1_000 });
    const first = fleet.candidates('m', 's');
    expect(first).toEqual(['http://a']);
    expect(fleet.candidates('other')).toBe(first);
    expect(fleet.begin).toBeUndefined();
    expect(fleet.end).toBeUndefined();
  });

  it('learns models and loaded models from a refresh, marks a refusing host down and names the error', async () => {
    const answers: Record<string, { tags: string[]; ps: string[] } | undefined> = { 'http://a': { tags: ['m'], ps: ['m'] }, 'http://b': undefined };
    const fleet = createFleet({ hosts: [{ url: 'http://a' }, { url: 'http://b', name: 'gpu-b' }], read: table(answers), refreshMs: 0, cooldownMs: 60_000 });
    await fleet.refresh();
    expect(fleet.isReady()).toBe(true);
    const [a, b] = fleet.view();
    expect(a).toMatchObject({ state: 'up', models: ['m:latest'], loaded_models: ['m:latest'] });
    expect(b).toMatchObject({ name: 'gpu-b', state: 'down', models: null, consecutive_failures: 1, last_error: expect.stringMatching(/ECONNREFUSED/) });
    // b's list is unknown, so it stays a candidate, after the healthy host.
    expect(fleet.candidates('m')).toEqual(['http://a', 'http://b']);

    answers['http://b'] = { tags: ['n'], ps: [] };
    await fleet.refresh();
    expect(fleet.view()[1]).toMatchObject({ state: 'up', consecutive_failures: 0 });
    expect(fleet.candidates('m')).toEqual(['http://a']);
    expect(fleet.candidates('n:latest')).toEqual(['http://b']);
  });

  it('a miss drops the model from that host and refreshes the lists; sessions stick while the host is healthy', async () => {
    const answers = { 'http://a': { tags: ['m'], ps: [] }, 'http://b': { tags: ['m'], ps: [] } };
    const read = table(answers);
    const fleet = createFleet({ hosts: [{ url: 'http://a' }, { url: 'http://b' }], read, refreshMs: 0, cooldownMs: 60_000 });
    await fleet.refresh();
    fleet.served!('s1', 'http://b');
    expect(fleet.candidates('m', 's1')[0]).toBe('http://b');
    expect(fleet.candidates('m', 's1')[0]).toBe('http://b');
    fleet.markDown('http://b', 'gone');
    expect(fleet.candidates('m', 's1')[0]).toBe('http://a');

    answers['http://a'].tags = [];
    read.calls.length = 0;
    fleet.missed!('http://a', 'm');
    expect(fleet.view()[0]?.models).toEqual([]);
    await fleet.refresh();
    expect(read.calls).toContain('http://a/api/tags');
  });

  it('the host chosen for a model counts as loading it: the next request for the model follows it there', async () => {
    const fleet = createFleet({ hosts: [{ url: 'http://a', maxParallel: 4 }, { url: 'http://b', maxParallel: 4 }], read: table({ 'http://a': { tags: ['m'], ps: [] }, 'http://b': { tags: ['m'], ps: [] } }), refreshMs: 0, cooldownMs: 60_000 });
    await fleet.refresh();
    const first = fleet.candidates('m')[0]!;
    fleet.begin!(first);
    expect(fleet.candidates('m')[0]).toBe(first);
    expect(fleet.view().find((host) => host.url === first)!.loaded_models).toEqual(['m:latest']);
  });

  it('a request waits for a warm slot rather than cold-load the model on another host, until the queue is as deep as the warm slots', async () => {
    const answers = { 'http://a': { tags: ['m'], ps: ['m'] }, 'http://b': { tags: ['m'], ps: [] } };
    const fleet = createFleet({ hosts: [{ url: 'http://a', maxParallel: 2 }, { url: 'http://b', maxParallel: 2 }], read: table(answers), refreshMs: 0, cooldownMs: 60_000, queueSize: 10, queueWaitMs: 60_000 });
    await fleet.refresh();
    const signal = new AbortController().signal;
    expect(fleet.admit!('m', signal)).toBeUndefined();
    fleet.begin!(fleet.candidates('m')[0]!);
    expect(fleet.admit!('m', signal)).toBeUndefined();
    fleet.begin!(fleet.candidates('m')[0]!);
    expect(fleet.view()[0]!.in_flight).toBe(2);
    // a (warm) is full, b (cold) is free: the first waiter stays queued, the second makes the queue two deep.
    const admitted: string[] = [];
    const first = fleet.admit!('m', signal)!.then(() => admitted.push('first'));
    await Promise.resolve();
    expect(admitted).toEqual([]);
    expect(fleet.queued('m')).toBe(1);
    const second = fleet.admit!('m', signal)!.then(() => admitted.push('second'));
    await first;
    expect(admitted).toEqual(['first']);
    expect(fleet.candidates('m')[0]).toBe('http://b');
    expect(fleet.queued('m')).toBe(1);
    fleet.end!('http://a', 5);
    await second;
    expect(admitted).toEqual(['first', 'second']);
  });
});

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
});

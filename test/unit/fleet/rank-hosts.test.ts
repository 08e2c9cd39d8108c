import { describe, expect, it } from 'vitest';
import { createFleetHost, modelKey, type FleetHost, type FleetHostSettings } from '../../../src/fleet/fleet-host.js';
import { rankHosts } from '../../../src/fleet/rank-hosts.js';

function host(url: string, models: string[] | undefined, extra: Partial<FleetHost> & Partial<FleetHostSettings> = {}): FleetHost {
  const created = createFleetHost({ url, ...(extra.maxParallel ? { maxParallel: extra.maxParallel } : {}), ...(extra.weight ? { weight: extra.weight } : {}) });
  created.models = models === undefined ? undefined : new Set(models.map(modelKey));
  created.state = 'up';
  Object.assign(created, { ...extra, maxParallel: created.maxParallel, weight: created.weight });
  return created;
}
const urls = (hosts: FleetHost[]) => hosts.map((h) => h.url);
const rank = (hosts: FleetHost[], model: string | undefined, extra: { stickyUrl?: string; now?: number; turn?: number } = {}) =>
  urls(rankHosts({ hosts, model: model === undefined ? undefined : modelKey(model), stickyUrl: extra.stickyUrl, now: extra.now ?? 1_000, turn: extra.turn ?? 0 }));

describe('rankHosts', () => {
  it('leaves out hosts known to lack the model, keeps hosts whose list is unknown', () => {
    const hosts = [host('http://a', ['alpha']), host('http://b', ['beta']), host('http://c', undefined)];
    expect(rank(hosts, 'beta')).toEqual(['http://b', 'http://c']);
    expect(rank(hosts, 'alpha:latest')).toEqual(['http://a', 'http://c']);
  });

  it('asks one healthy host when nobody is known to have the model (Ollama answers its own 404)', () => {
    const hosts = [host('http://a', ['alpha'], { downUntil: 5_000 }), host('http://b', ['beta'])];
    expect(rank(hosts, 'gamma')).toEqual(['http://b']);
  });

  it('puts loaded before cold, then the least busy relative to maxParallel, then the heavier weight', () => {
    const cold = host('http://cold', ['m']);
    const loaded = host('http://loaded', ['m'], { loaded: new Set(['m:latest']), inFlight: 3, maxParallel: 4 });
    const busy = host('http://busy', ['m'], { inFlight: 2, maxParallel: 2 });
    const heavy = host('http://heavy', ['m'], { weight: 3 });
    expect(rank([cold, busy, heavy, loaded], 'm')).toEqual(['http://loaded', 'http://heavy', 'http://cold', 'http://busy']);
  });

  it('puts a host at maxParallel after hosts with a free slot, even when it has the model loaded', () => {
    const full = host('http://full', ['m'], { loaded: new Set(['m:latest']), inFlight: 2, maxParallel: 2 });
    const free = host('http://free', ['m'], { inFlight: 1, maxParallel: 2 });
    expect(rank([full, free], 'm')).toEqual(['http://free', 'http://full']);
  });

  it('tries resting hosts last, and the session host first while it is healthy', () => {
    const a = host('http://a', ['m']);
    const b = host('http://b', ['m'], { downUntil: 5_000 });
    const c = host('http://c', ['m']);
    expect(rank([a, b, c], 'm', { stickyUrl: 'http://c' })).toEqual(['http://c', 'http://a', 'http://b']);
    expect(rank([a, b, c], 'm', { stickyUrl: 'http://b' })).toEqual(['http://a', 'http://c', 'http://b']);
  });

  it('rotates among equal hosts', () => {
    const hosts = [host('http://a', ['m']), host('http://b', ['m'])];
    expect(rank(hosts, 'm', { turn: 0 })[0]).toBe('http://a');
    expect(rank(hosts, 'm', { turn: 1 })[0]).toBe('http://b');
  });
});

import { describe, expect, it } from 'vitest';
import { passthroughRouteLabel } from '../../../src/http/passthrough/ollama-passthrough.js';
import { createPassthroughTargets } from '../../../src/http/passthrough/passthrough-targets.js';

describe('createPassthroughTargets', () => {
  const urls = ['http://a:11434', 'http://b:11434', 'http://c:11434'];

  it('picks the first host that is not resting, and the first of all when every host rests', () => {
    let now = 0;
    const targets = createPassthroughTargets(urls, { cooldownMs: 1_000, now: () => now });
    expect(targets.pick()).toBe('http://a:11434');
    targets.markDown('http://a:11434');
    expect(targets.pick()).toBe('http://b:11434');
    targets.markDown('http://b:11434');
    targets.markDown('http://c:11434');
    expect(targets.pick()).toBe('http://a:11434');
    now = 1_000;
    expect(targets.pick()).toBe('http://a:11434');
  });

  it('finds the configured URL behind the target http-proxy reports', () => {
    const targets = createPassthroughTargets(urls);
    expect(targets.find({ href: 'http://b:11434/' })).toBe('http://b:11434');
    expect(targets.find('http://c:11434')).toBe('http://c:11434');
    expect(targets.find({ href: 'http://z:1/' })).toBeUndefined();
    expect(targets.find(undefined)).toBeUndefined();
  });
});

describe('passthroughRouteLabel', () => {
  it.each([
    ['/api/chat', '/api/chat'], ['/api/tags', '/api/tags'], ['/api/blobs/sha256:abc', '/api/blobs/{digest}'],
    ['/api/whatever/else', '/api/{other}'], ['/api', '/api/{other}'],
  ])('%s → %s (bounded labels for metrics)', (path, label) => {
    expect(passthroughRouteLabel(path)).toBe(label);
  });
});

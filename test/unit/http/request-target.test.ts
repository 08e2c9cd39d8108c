import { describe, expect, it } from 'vitest';
import { requiredScope } from '../../../src/access/scopes.js';
import { InvalidRequestError } from '../../../src/core/errors.js';
import { canonicalTarget, looksNative } from '../../../src/http/request-target.js';

const HOST = '127.0.0.1:8080';
const REQ = { headers: { host: HOST } };

describe('canonicalTarget', () => {
  it.each(['/v1/chat/completions', '/v1/models/deepseek-r1:7b', '/api/tags', '/api/v1/keys?limit=5&after=a/../b', '/', '/health'])(
    'returns the very string for the plain target %s',
    (url) => {
      expect(canonicalTarget(url, REQ)).toBe(url);
    },
  );

  it.each([
    ['/api//pull', '/api/pull'],
    ['//api/pull', '/api/pull'],
    ['/api/./pull', '/api/pull'],
    ['/./api/pull', '/api/pull'],
    ['/api/x/../pull', '/api/pull'],
    ['/api/v1/../pull', '/api/pull'],
    ['/v1/../api/pull', '/api/pull'],
    ['/../../api/pull', '/api/pull'],
    ['/api/pull/', '/api/pull'],
    ['/api/pull/?insecure=true', '/api/pull?insecure=true'],
    ['/api/%70ull', '/api/pull'],
    ['/API/Pull', '/API/Pull'],
    ['/v1/chat/completions/', '/v1/chat/completions'],
    ['/v1/models/hf.co%2fuser%2fmodel', '/v1/models/hf.co%2Fuser%2Fmodel'],
    ['/api/blobs/sha256%3aabc', '/api/blobs/sha256%3Aabc'],
    [`http://${HOST}/api/pull`, '/api/pull'],
    [`HTTP://${HOST.toUpperCase()}/api/tags?x=1`, '/api/tags?x=1'],
    [`http://${HOST}`, '/'],
  ])('normalises %s to %s', (url, expected) => {
    expect(canonicalTarget(url, REQ)).toBe(expected);
  });

  it.each([
    ['/api/pull#x', /fragment/],
    ['/api/create#', /fragment/],
    ['/v1/models?x#y', /fragment/],
    ['/api/x\\..\\pull', /backslash/],
    ['/api\\pull', /backslash/],
    ['/api/x/%2e%2e/pull', /escaped dot segment/],
    ['/api/%2E/pull', /escaped dot segment/],
    ['/v1/models/.%2e', /escaped dot segment/],
    ['/api/x%2f..%2fpull', /native API paths/],
    ['/api/x%5c..%5cpull', /native API paths/],
    ['/api/pull;x', /native API paths/],
    ['/api/pull%3bx', /native API paths/],
    ['/api/pull%23x', /native API paths/],
    ['/api/pull%00', /NUL/],
    ['/v1/models/a%00b', /NUL/],
    ['/api/%zz', /malformed/],
    ['/api/pull%2', /malformed/],
    ['http://evil.example/api/pull', /authority/],
    [`http://user@${HOST}/api/pull`, /authority/],
    [`ftp://${HOST}/api/pull`, /scheme/],
    ['*', /neither a path/],
    ['api/pull', /neither a path/],
  ])('refuses %s', (url, reason) => {
    expect(() => canonicalTarget(url, REQ)).toThrow(InvalidRequestError);
    expect(() => canonicalTarget(url, REQ)).toThrow(reason);
  });

  it('refuses an absolute-form target when the request has no Host header', () => {
    expect(() => canonicalTarget(`http://${HOST}/api/pull`, { headers: {} })).toThrow(/authority/);
  });

  it.each(['/api//pull', '/api/pull/', '/API/Pull', '/api/%70ull', '/api/tags/../pull', '/api/./delete', `http://${HOST}/api/copy`, '/api/blobs/sha256:abc/'])(
    'the scope decided on the canonical form of the disguised admin route %s is admin',
    (url) => {
      expect(requiredScope(canonicalTarget(url, REQ))).toBe('admin');
    },
  );
});

describe('looksNative', () => {
  it.each([
    ['/api/pull#x', true], ['/api\\pull', true], ['http://evil/api/pull', true], ['/API/%zz', true], ['/api', true], ['/api/x/%2e%2e/v1/keys', false], ['/api/v1/%2e%2e/pull', true],
    ['/api/v1/keys#x', false], ['/v1/models/%00', false], ['*', false], ['/apis#', false],
  ])('%s → %s', (url, expected) => {
    expect(looksNative(url)).toBe(expected);
  });
});

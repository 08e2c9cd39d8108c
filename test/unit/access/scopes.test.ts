import { describe, expect, it } from 'vitest';
import { assertScope, isOllamaNativePath, parseScopes, requiredScope } from '../../../src/access/scopes.js';
import { InvalidRequestError, PermissionDeniedError } from '../../../src/core/errors.js';

describe('parseScopes', () => {
  it('accepts a comma list or an array and returns known scopes in canonical order, once each', () => {
    expect(parseScopes('embeddings, chat,chat')).toEqual(['chat', 'embeddings']);
    expect(parseScopes(['admin', 'models:read'])).toEqual(['models:read', 'admin']);
  });

  it('rejects unknown scopes with a 400 that names them and lists the valid ones', () => {
    expect(() => parseScopes('chat,root,sudo')).toThrow(InvalidRequestError);
    expect(() => parseScopes('chat,root,sudo')).toThrow(/'root', 'sudo'.*chat, completions, embeddings/);
  });
});

describe('requiredScope', () => {
  it.each([
    ['/v1/chat/completions', 'chat'],
    ['/v1/completions', 'completions'],
    ['/v1/embeddings', 'embeddings'],
    ['/v1/models', 'models:read'],
    ['/v1/models/deepseek-r1:8b', 'models:read'],
    ['/api/v1/keys', 'admin'],
    ['/api/v1/keys/key_abc/rotate', 'admin'],
    ['/api/v1/audit?key_id=x', 'admin'],
    ['/api/v1/auth', null],
    ['/api/tags', 'ollama'],
    ['/api/chat', 'ollama'],
    ['/api/show', 'ollama'],
    ['/api/pull', 'admin'],
    ['/api/push', 'admin'],
    ['/api/create', 'admin'],
    ['/api/copy', 'admin'],
    ['/api/delete', 'admin'],
    ['/api/blobs/sha256:abc', 'admin'],
    ['/health', null],
  ])('%s needs %s', (path, scope) => {
    expect(requiredScope(path)).toBe(scope);
  });

  it('folds case, as Express routes case-blind', () => {
    expect(requiredScope('/API/Pull')).toBe('admin');
    expect(requiredScope('/api/PULL?x=1')).toBe('admin');
  });
});

describe('assertScope', () => {
  it('passes when the scope is held and throws a 403 naming the missing scope otherwise', () => {
    expect(() => assertScope(['chat'], 'chat')).not.toThrow();
    expect(() => assertScope(['chat', 'admin'], 'embeddings', 'POST /v1/embeddings')).toThrow(PermissionDeniedError);
    expect(() => assertScope(['chat'], 'embeddings', 'POST /v1/embeddings')).toThrow(
      "This key lacks the 'embeddings' scope required for POST /v1/embeddings.",
    );
  });
});

describe('isOllamaNativePath', () => {
  it.each([
    ['/api/tags', true], ['/api/chat', true], ['/api', true], ['/API/pull', true], ['/api/tags?x=1', true],
    ['/api/v1/keys', false], ['/api/v1', false], ['/API/V1/audit', false], ['/api/v1?x=1', false],
    ['/v1/chat/completions', false], ['/apis', false], ['/health', false],
  ])('%s → %s', (path, expected) => {
    expect(isOllamaNativePath(path)).toBe(expected);
  });
});

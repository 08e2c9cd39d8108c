import { describe, expect, it } from 'vitest';
import { InvalidRequestError, PermissionDeniedError } from '../../../src/core/errors.js';
import { checkNativeBody, filterModelListing, namedModels, nativeRouteKind } from '../../../src/http/passthrough/native-model-access.js';

const R1 = ['deepseek-r1:*'];

describe('nativeRouteKind', () => {
  it.each([
    ['/api/chat', 'names-models'], ['/API/Generate', 'names-models'], ['/api/embed', 'names-models'], ['/api/embeddings', 'names-models'],
    ['/api/show', 'names-models'], ['/api/pull', 'names-models'], ['/api/copy', 'names-models'], ['/api/delete', 'names-models'],
    ['/api/tags', 'lists-models'], ['/api/ps?x=1', 'lists-models'], ['/api/version', 'model-free'], ['/api/blobs/sha256:ab', 'model-free'],
    ['/api', 'model-free'], ['/api/some-future-route', 'unknown'],
  ])('%s is %s', (path, kind) => {
    expect(nativeRouteKind(path)).toBe(kind);
  });
});

describe('namedModels', () => {
  it('collects every field Go would decode as a model name, in any case, including `ſ`, which Go folds to s (and the dotless ı, to be safe)', () => {
    expect(namedModels({ model: 'a', Model: 'b', NAME: 'c', From: 'd', 'ſource': 'e', 'destınation': 'f', messages: [] })).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('skips null and empty names (Ollama refuses those itself) and refuses other types', () => {
    expect(namedModels({ model: null, name: '' })).toEqual([]);
    expect(() => namedModels({ model: 7 })).toThrow(InvalidRequestError);
    expect(() => namedModels(['model'])).toThrow(InvalidRequestError);
  });
});

describe('checkNativeBody', () => {
  it('passes an allowed model and returns it', () => {
    expect(checkNativeBody(Buffer.from('{"model":"deepseek-r1:7b"}'), R1)).toBe('deepseek-r1:7b');
    expect(checkNativeBody(Buffer.alloc(0), R1)).toBeUndefined();
  });

  it('refuses a model outside the list, whichever field names it', () => {
    expect(() => checkNativeBody(Buffer.from('{"model":"deepseek-r1:7b","MODEL":"qwen3:8b"}'), R1)).toThrow(PermissionDeniedError);
  });

  it('refuses a body that is not JSON', () => {
    expect(() => checkNativeBody(Buffer.from('{"model":'), R1)).toThrow(InvalidRequestError);
  });
});

describe('filterModelListing', () => {
  it('keeps only allowed entries, by model or name, and the rest of the body', () => {
    const body = { models: [{ name: 'deepseek-r1:7b', model: 'deepseek-r1:7b' }, { name: 'qwen3:8b', model: 'qwen3:8b' }, { name: 'deepseek-r1:32b' }, 'junk'], extra: 1 };
    expect(filterModelListing(body, R1)).toEqual({ models: [{ name: 'deepseek-r1:7b', model: 'deepseek-r1:7b' }, { name: 'deepseek-r1:32b' }], extra: 1 });
  });

  it('leaves a body without a models list as it is', () => {
    expect(filterModelListing({ error: 'x' }, R1)).toEqual({ error: 'x' });
  });
});

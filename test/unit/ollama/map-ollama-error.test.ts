import { describe, expect, it } from 'vitest';
import {
  InvalidRequestError,
  ModelNotFoundError,
  RateLimitError,
  UpstreamBusyError,
  UpstreamError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../../../src/core/errors.js';
import { mapOllamaFailure, mapOllamaHttpError, mapOllamaStreamError } from '../../../src/ollama/map-ollama-error.js';
import { isConnectFailure } from '../../../src/shared/connect-failure.js';
import { NdjsonDecodeError } from '../../../src/shared/ndjson.js';

const body = (error: string) => JSON.stringify({ error });

function networkError(code: string, name = 'Error'): TypeError {
  const cause = Object.assign(new Error(`socket: ${code}`), { code, name });
  return new TypeError('fetch failed', { cause });
}

describe('mapOllamaHttpError', () => {
  it.each([
    ['chat wording', "model 'deepseek-r1:99b' not found"],
    ['scheduler wording', 'model "deepseek-r1:99b" not found, try pulling it first'],
  ])('maps a 404 for an unknown model (%s) to model_not_found naming the model', (_name, message) => {
    const error = mapOllamaHttpError(404, body(message), { model: 'deepseek-r1:99b' });
    expect(error).toBeInstanceOf(ModelNotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    expect(error.message).toContain('deepseek-r1:99b');
  });

  it('takes the model name from the message when the caller did not give one', () => {
    expect(mapOllamaHttpError(404, body("model 'qwq:32b' not found")).message).toContain("'qwq:32b'");
  });

  it('maps a bare route 404 to an upstream error, not model_not_found', () => {
    const error = mapOllamaHttpError(404, '404 page not found', { model: 'deepseek-r1:8b' });
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.status).toBe(502);
  });

  it.each([
    ['registry.ollama.ai/library/deepseek-r1:8b does not support tools', 'tools', 'deepseek-r1:8b does not support tools'],
    ['"deepseek-v3:671b" does not support thinking', 'reasoning_effort', '"deepseek-v3:671b" does not support thinking'],
    ['registry.ollama.ai/library/deepseek-r1:8b does not support insert', 'suffix', 'deepseek-r1:8b does not support insert'],
    ['json: cannot unmarshal string into Go struct field', null, 'json: cannot unmarshal string into Go struct field'],
  ])('maps 400 "%s" to invalid_request with param %s', (message, param, clientMessage) => {
    const error = mapOllamaHttpError(400, body(message));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ status: 400, param, message: clientMessage });
  });

  it('maps 503 (queue full) to upstream_busy with a retry-after header', () => {
    const error = mapOllamaHttpError(503, body('server busy, please try again.  maximum pending requests exceeded'), {
      retryAfter: '7',
    });
    expect(error).toBeInstanceOf(UpstreamBusyError);
    expect(error).toMatchObject({ status: 503, headers: { 'retry-after': '7' } });
    expect(error.message).toContain('maximum pending requests exceeded');
  });

  it('defaults retry-after to 1 second on 503', () => {
    expect(mapOllamaHttpError(503, body('busy')).headers).toEqual({ 'retry-after': '1' });
  });

  it('maps 429 to a rate limit error', () => {
    expect(mapOllamaHttpError(429, body('too many requests'), { retryAfter: '3' })).toBeInstanceOf(RateLimitError);
  });

  it.each([500, 502])('maps %s to upstream_error carrying Ollama\'s message', (status) => {
    const error = mapOllamaHttpError(status, body('option "num_ctx" must be of type integer'));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ status: 502, code: 'upstream_error' });
    expect(error.message).toContain('option "num_ctx" must be of type integer');
  });

  it('explains the empty 403 of Ollama\'s Host check', () => {
    expect(mapOllamaHttpError(403, '').message).toMatch(/Host check/);
  });

  it('uses a plain-text body as the message', () => {
    expect(mapOllamaHttpError(500, 'upstream exploded').message).toContain('upstream exploded');
  });
});

describe('mapOllamaStreamError', () => {
  it('keeps Ollama\'s message on a 502 upstream_error', () => {
    expect(mapOllamaStreamError('unexpected EOF')).toMatchObject({ status: 502, message: 'unexpected EOF' });
  });
});

describe('mapOllamaFailure', () => {
  it.each(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'UND_ERR_SOCKET'])('maps %s to upstream_unavailable (502)', (code) => {
    const error = mapOllamaFailure(networkError(code));
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error).toMatchObject({ status: 502 });
  });

  it.each([
    ['HeadersTimeoutError', 'UND_ERR_HEADERS_TIMEOUT'],
    ['BodyTimeoutError', 'UND_ERR_BODY_TIMEOUT'],
    ['ConnectTimeoutError', 'UND_ERR_CONNECT_TIMEOUT'],
  ])('maps undici %s to upstream_timeout (504)', (name, code) => {
    const error = mapOllamaFailure(networkError(code, name));
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(error).toMatchObject({ status: 504 });
  });

  it('maps a body timeout thrown directly by the reader (no fetch wrapper)', () => {
    const error = Object.assign(new Error('Body Timeout Error'), { name: 'BodyTimeoutError', code: 'UND_ERR_BODY_TIMEOUT' });
    expect(mapOllamaFailure(error)).toBeInstanceOf(UpstreamTimeoutError);
  });

  it('passes an AbortError through untouched', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(mapOllamaFailure(abort)).toBe(abort);
  });

  it('maps a malformed NDJSON stream to upstream_error', () => {
    expect(mapOllamaFailure(new NdjsonDecodeError('Invalid JSON on NDJSON line 3: {', 3))).toBeInstanceOf(UpstreamError);
  });

  it('leaves unrelated errors alone so they surface as internal errors', () => {
    const bug = new RangeError('bug');
    expect(mapOllamaFailure(bug)).toBe(bug);
  });
});

describe('isConnectFailure', () => {
  it.each([
    ['ECONNREFUSED', true],
    ['UND_ERR_CONNECT_TIMEOUT', true],
    ['ECONNRESET', false],
    ['UND_ERR_HEADERS_TIMEOUT', false],
  ])('says %s means the request never reached the host: %s', (code, expected) => {
    expect(isConnectFailure(networkError(code))).toBe(expected);
  });

  it('counts ETIMEDOUT while connecting (the passthrough and the backend agree), not while reading', () => {
    const atConnect = Object.assign(new Error('connect ETIMEDOUT 10.0.0.9:11434'), { code: 'ETIMEDOUT', syscall: 'connect' });
    const allAttempts = Object.assign(new AggregateError([], 'connect attempts failed'), { code: 'ETIMEDOUT' });
    const whileReading = Object.assign(new Error('read ETIMEDOUT'), { code: 'ETIMEDOUT', syscall: 'read' });
    expect([isConnectFailure(atConnect), isConnectFailure(allAttempts), isConnectFailure(whileReading)]).toEqual([true, true, false]);
    expect(isConnectFailure(new TypeError('fetch failed', { cause: atConnect }))).toBe(true);
  });
});

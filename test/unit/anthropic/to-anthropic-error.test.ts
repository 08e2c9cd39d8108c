import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { toAnthropicError } from '../../../src/anthropic/to-anthropic-error.js';
import { ERROR_CATALOG, ProxyError, type ErrorKind } from '../../../src/core/errors.js';

const SDK_TYPES: ReadonlySet<string> = new Set<Anthropic.ErrorType | 'request_too_large'>([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'conflict_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
]);

describe('toAnthropicError', () => {
  it.each(Object.keys(ERROR_CATALOG) as ErrorKind[])('renders %s as {type:"error", error:{type, message}} with a type Anthropic uses', (kind) => {
    const body = toAnthropicError(new ProxyError(kind, 'what went wrong'), 'req_1');
    expect(body).toEqual({ type: 'error', error: { type: expect.any(String), message: 'what went wrong' }, request_id: 'req_1' });
    expect(SDK_TYPES.has(body.error.type)).toBe(true);
  });

  it.each([
    ['invalid_request', 'invalid_request_error'],
    ['invalid_api_key', 'authentication_error'],
    ['forbidden', 'permission_error'],
    ['model_not_found', 'not_found_error'],
    ['payload_too_large', 'request_too_large'],
    ['rate_limit_exceeded', 'rate_limit_error'],
    ['quota_exceeded', 'rate_limit_error'],
    ['internal_error', 'api_error'],
    ['upstream_unavailable', 'api_error'],
    ['upstream_busy', 'overloaded_error'],
    ['upstream_timeout', 'timeout_error'],
  ] as const)('maps %s to %s', (kind, type) => {
    expect(toAnthropicError(new ProxyError(kind, 'x')).error.type).toBe(type);
  });
});

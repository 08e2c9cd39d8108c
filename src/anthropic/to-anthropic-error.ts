import type { ProxyError } from '../core/errors.js';
import type { AnthropicErrorBody } from './anthropic-wire.js';

// Anthropic's error types, chosen from our catalog's status (the SDKs pick their error class from the
// status alone, so the status stays the catalog's). 4xx not listed use invalid_request_error, as Anthropic does.
const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function toAnthropicErrorType(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status < 500 ? 'invalid_request_error' : 'api_error');
}

/** `{"type":"error","error":{"type","message"},"request_id"}`: the body of an HTTP error and of a stream's `error` event. */
export function toAnthropicError(error: ProxyError, requestId?: string): AnthropicErrorBody {
  const body: AnthropicErrorBody = { type: 'error', error: { type: toAnthropicErrorType(error.status), message: error.message } };
  if (requestId !== undefined) body.request_id = requestId;
  return body;
}

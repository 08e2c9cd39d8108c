// The one error catalog: every failure the proxy reports is a ProxyError, and status, OpenAI `type`
// and `code` are decided here. http/middleware/error-handler.ts is the only place they become responses.

export interface ErrorSpec {
  status: number;
  type: string;
  code: string;
}

export const ERROR_CATALOG = {
  invalid_request: { status: 400, type: 'invalid_request_error', code: 'invalid_value' },
  plugin_rejected: { status: 400, type: 'invalid_request_error', code: 'plugin_rejected' },
  context_length_exceeded: { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded' },
  invalid_api_key: { status: 401, type: 'invalid_request_error', code: 'invalid_api_key' },
  forbidden: { status: 403, type: 'invalid_request_error', code: 'forbidden' },
  not_found: { status: 404, type: 'invalid_request_error', code: 'not_found' },
  model_not_found: { status: 404, type: 'invalid_request_error', code: 'model_not_found' },
  conflict: { status: 409, type: 'invalid_request_error', code: 'conflict' },
  payload_too_large: { status: 413, type: 'invalid_request_error', code: 'payload_too_large' },
  method_not_allowed: { status: 405, type: 'invalid_request_error', code: 'method_not_allowed' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error', code: 'unsupported_media_type' },
  rate_limit_exceeded: { status: 429, type: 'requests', code: 'rate_limit_exceeded' },
  // OpenAI tells the two apart by `type`: "requests" (RPM) or "tokens" (TPM), the code being the same.
  token_rate_limit_exceeded: { status: 429, type: 'tokens', code: 'rate_limit_exceeded' },
  quota_exceeded: { status: 429, type: 'insufficient_quota', code: 'quota_exceeded' },
  internal_error: { status: 500, type: 'server_error', code: 'internal_error' },
  plugin_failed: { status: 500, type: 'server_error', code: 'plugin_failed' },
  upstream_error: { status: 502, type: 'api_error', code: 'upstream_error' },
  upstream_unavailable: { status: 502, type: 'api_error', code: 'upstream_unavailable' },
  upstream_busy: { status: 503, type: 'api_error', code: 'upstream_busy' },
  service_unavailable: { status: 503, type: 'api_error', code: 'service_unavailable' },
  server_shutting_down: { status: 503, type: 'api_error', code: 'server_shutting_down' },
  upstream_timeout: { status: 504, type: 'api_error', code: 'upstream_timeout' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorKind = keyof typeof ERROR_CATALOG;

export interface ProxyErrorOptions {
  param?: string | null;
  /** Extra response headers, e.g. retry-after. */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class ProxyError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly type: string;
  readonly code: string;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(kind: ErrorKind, message: string, options: ProxyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const spec = ERROR_CATALOG[kind];
    this.name = new.target.name;
    this.kind = kind;
    this.status = spec.status;
    this.type = spec.type;
    this.code = spec.code;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }
}

export class InvalidRequestError extends ProxyError {
  constructor(message: string, param: string | null = null, cause?: unknown) {
    super('invalid_request', message, { param, cause });
  }
}

export class AuthenticationError extends ProxyError {
  constructor(message = 'Incorrect API key provided. Send it as "Authorization: Bearer <key>".') {
    super('invalid_api_key', message);
  }
}

export class PermissionDeniedError extends ProxyError {
  constructor(message: string, param: string | null = null) {
    super('forbidden', message, { param });
  }
}

export class NotFoundError extends ProxyError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class ModelNotFoundError extends ProxyError {
  /** `message` replaces the default text, e.g. to say what an alias looks for or which names come close. */
  constructor(model: string, message?: string) {
    super('model_not_found', message ?? `The model '${model}' does not exist or is not installed.`, { param: 'model' });
  }
}

/** OpenAI's answer to a prompt that does not fit the model's context window (400, param `messages`). */
export class ContextLengthExceededError extends ProxyError {
  constructor(message: string, param: string | null = 'messages') {
    super('context_length_exceeded', message, { param });
  }
}

export class RateLimitError extends ProxyError {
  constructor(message: string, retryAfterSeconds: number, kind: 'rate_limit_exceeded' | 'token_rate_limit_exceeded' | 'quota_exceeded' = 'rate_limit_exceeded') {
    super(kind, message, { headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
  }
}

export class UpstreamUnavailableError extends ProxyError {
  constructor(message = 'The model server (Ollama) is unreachable.', cause?: unknown) {
    super('upstream_unavailable', message, { cause });
  }
}

export class UpstreamBusyError extends ProxyError {
  constructor(message = 'The model server (Ollama) is busy; retry shortly.', retryAfterSeconds = 1) {
    super('upstream_busy', message, { headers: { 'retry-after': String(retryAfterSeconds) } });
  }
}

export class UpstreamTimeoutError extends ProxyError {
  constructor(message = 'The model server (Ollama) did not answer in time.', cause?: unknown) {
    super('upstream_timeout', message, { cause });
  }
}

export class UpstreamError extends ProxyError {
  constructor(message: string, cause?: unknown) {
    super('upstream_error', message, { cause });
  }
}

export class PluginRejectedError extends ProxyError {
  constructor(plugin: string, reason: string) {
    super('plugin_rejected', `Plugin '${plugin}' rejected the request: ${reason}`);
  }
}

export class PluginFailedError extends ProxyError {
  constructor(plugin: string, cause?: unknown) {
    super('plugin_failed', `Plugin '${plugin}' failed while handling the request.`, { cause });
  }
}

/** Anything that is not a ProxyError is an internal error whose message must not reach the client. */
export function toProxyError(error: unknown): ProxyError {
  if (error instanceof ProxyError) return error;
  return new ProxyError('internal_error', 'The server had an error while processing your request.', { cause: error });
}

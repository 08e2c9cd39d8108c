import {
  ContextLengthExceededError,
  InvalidRequestError,
  ModelNotFoundError,
  ProxyError,
  RateLimitError,
  UpstreamBusyError,
  UpstreamError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../core/errors.js';
import { errorCodes } from '../shared/connect-failure.js';
import { NdjsonDecodeError } from '../shared/ndjson.js';

export interface OllamaErrorContext {
  /** The model the request named (Ollama's 404 text is not always parseable). */
  model?: string;
  /** The response's Retry-After header, if any. */
  retryAfter?: string | null;
}

/** Which canonical parameter an Ollama 400 is about, so clients see a useful `param`. */
const PARAM_HINTS: [RegExp, string][] = [
  [/does not support tools/i, 'tools'],
  [/does not support thinking|invalid think value/i, 'reasoning_effort'],
  [/does not support insert|suffix/i, 'suffix'],
  [/model is required|does not support (chat|generate|completion|embed)/i, 'model'],
  [/longer than the context length|exceeds the context length/i, 'messages'],
];

const CONTEXT_OVERFLOW = /longer than the context length|exceeds the context length|exceeds maximum context length/i;

/** Non-2xx answer from Ollama (body `{"error": "..."}`) → the catalog error the client should see. */
export function mapOllamaHttpError(status: number, bodyText: string, context: OllamaErrorContext = {}): ProxyError {
  const message = readErrorMessage(bodyText) ?? `Ollama answered HTTP ${status}.`;
  if (status === 404) {
    // A bare 404 ("404 page not found") is an unknown route: an Ollama too old for this endpoint.
    const named = /model\s+['"]?(.+?)['"]?\s+not found/i.exec(message);
    if (named || (context.model !== undefined && /model/i.test(message))) {
      return new ModelNotFoundError(context.model ?? named?.[1] ?? 'unknown');
    }
    return new UpstreamError(`Ollama does not know this endpoint (HTTP 404: ${message}); is it older than 0.2.6?`);
  }
  if (status === 400 && CONTEXT_OVERFLOW.test(message)) {
    return new ContextLengthExceededError(`${message} (Ollama refused the prompt instead of truncating it.)`);
  }
  if (status === 400) {
    const param = PARAM_HINTS.find(([pattern]) => pattern.test(message))?.[1] ?? null;
    return new InvalidRequestError(message.replaceAll('registry.ollama.ai/library/', ''), param);
  }
  const retryAfter = parseRetryAfter(context.retryAfter);
  if (status === 429) return new RateLimitError(`Ollama rate limit: ${message}`, retryAfter ?? 1);
  if (status === 503) return new UpstreamBusyError(`The model server (Ollama) is busy: ${message}`, retryAfter ?? 1);
  if (status === 504) return new UpstreamTimeoutError(`Ollama timed out: ${message}`);
  if (status === 403 && bodyText.trim() === '') {
    return new UpstreamError('Ollama refused the request (403): its Host check rejects this proxy address.');
  }
  return new UpstreamError(`Ollama error (HTTP ${status}): ${message}`);
}

/** An `{"error": "..."}` NDJSON line after a 200: the status can no longer change. */
export function mapOllamaStreamError(message: string): UpstreamError {
  return new UpstreamError(message);
}

// Which failures move on to another host is shared/connect-failure.ts; these say what the client is told.
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * A thrown error from fetch or from reading the body → what to throw instead. Aborts pass through untouched
 * (the client left; nothing to report), as do ProxyErrors and errors we do not recognise (bugs → 500).
 */
export function mapOllamaFailure(error: unknown): unknown {
  if (error instanceof ProxyError || isAbort(error)) return error;
  if (error instanceof NdjsonDecodeError) return new UpstreamError(`Ollama sent a malformed stream: ${error.message}`, error);
  const codes = errorCodes(error);
  if (codes.some((code) => TIMEOUT_CODES.has(code))) return new UpstreamTimeoutError(undefined, error);
  if (codes.some((code) => UNAVAILABLE_CODES.has(code))) return new UpstreamUnavailableError(undefined, error);
  // undici's fetch wraps network failures in TypeError('fetch failed'), and a cut body in TypeError('terminated').
  if (error instanceof TypeError && (error.message === 'fetch failed' || error.message === 'terminated')) {
    return new UpstreamUnavailableError(undefined, error);
  }
  return error;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

function readErrorMessage(bodyText: string): string | undefined {
  const text = bodyText.trim();
  if (text === '') return undefined;
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string') {
      return (body as { error: string }).error;
    }
  } catch {
    // Not JSON: a plain-text body (e.g. "404 page not found") or a proxy's HTML page.
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : undefined;
}

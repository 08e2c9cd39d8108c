import { Agent, request } from 'undici';
import type { z } from 'zod';
import { ModelNotFoundError, UpstreamError, UpstreamUnavailableError } from '../core/errors.js';
import type { CallOutcome } from '../core/call-outcome.js';
import type { Logger } from '../core/logger.js';
import type { HostPool } from './host-pool.js';
import { errorCodes, isConnectFailure } from '../shared/connect-failure.js';
import { mapOllamaFailure, mapOllamaHttpError, mapOllamaStreamError } from './map-ollama-error.js';
import { describeUnreachable, failureReason } from './describe-unreachable.js';

// The network half of the Ollama backend: undici's request() over one keep-alive Agent, host failover, and
// turning HTTP and socket failures into catalog errors. ollama-backend.ts is the only caller.
// request() rather than fetch(): no WHATWG Request/Response/stream objects per call, which cost about a
// tenth of the proxy's CPU per request in the benchmark's profile.

export interface OllamaFetchInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal: AbortSignal;
}

/** The part of a response we use; a fetch Response satisfies it (its body is async-iterable in Node). */
export interface OllamaFetchResponse {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  body: AsyncIterable<Uint8Array> | null;
  text(): Promise<string>;
}

export type OllamaFetch = (url: string, init: OllamaFetchInit) => Promise<OllamaFetchResponse>;

export interface OllamaTransportOptions {
  pool: HostPool;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Replaces undici's fetch (tests). It gets no dispatcher, so the timeouts above are then its business. */
  fetch?: OllamaFetch;
}

export interface OllamaCall {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** Sent as application/octet-stream instead of a JSON body (blob uploads). */
  rawBody?: Uint8Array;
  signal: AbortSignal;
  /** For ModelNotFoundError, and the host choice. */
  model?: string;
  /** The conversation (X-Session-Id): kept on one host while it is healthy. */
  sessionId?: string;
  logger?: Logger;
  /** Where the host that answered is recorded (only when there is a choice of hosts). */
  outcome?: CallOutcome;
}

export interface OllamaTransport {
  /** Sends to the next host (moving on when a host refuses the connection); non-2xx → ProxyError. */
  send(call: OllamaCall): Promise<OllamaFetchResponse>;
  /** Sends to one given host, no failover (probes). */
  sendTo(url: string, call: OllamaCall): Promise<OllamaFetchResponse>;
  close(): Promise<void>;
}

export function createOllamaTransport(options: OllamaTransportOptions): OllamaTransport {
  const agent = new Agent({
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
  });
  const fetchOverride = options.fetch;
  const request = requestWith(agent);
  const doFetch = (url: string, path: string, init: OllamaFetchInit) => (fetchOverride ? fetchOverride(url + path, init) : request(url, path, init));

  const sendTo = async (url: string, call: OllamaCall): Promise<OllamaFetchResponse> => {
    const init: OllamaFetchInit = { method: call.method, headers: { accept: 'application/json' }, signal: call.signal };
    if (call.rawBody !== undefined) {
      init.headers['content-type'] = 'application/octet-stream';
      init.body = call.rawBody;
    } else if (call.body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(call.body);
    }
    const response = await doFetch(url, call.path, init);
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      const error = mapOllamaHttpError(response.status, text, {
        ...(call.model !== undefined && { model: call.model }),
        retryAfter: response.headers.get('retry-after'),
      });
      httpStatusOf.set(error, response.status);
      throw error;
    }
    return response;
  };

  const pool = options.pool;
  const tracks = pool.begin !== undefined;
  const choosesHost = pool.urls().length > 1;

  const admitted = async (call: OllamaCall): Promise<void> => {
    const waiting = pool.admit!(call.model, call.signal);
    if (waiting !== undefined) await waiting;
  };

  const send = async (call: OllamaCall): Promise<OllamaFetchResponse> => {
    const admits = pool.admit !== undefined && GENERATION_PATHS.has(call.path);
    if (admits) await admitted(call);
    try {
      return await sendToCandidates(call);
    } catch (error) {
      // Every host left answered 503 busy: typically a host died with this request in flight and the survivors are
      // at their maxParallel. The request waits in the admission queue for a slot (as if it had just arrived, with
      // the dead host out of the picture) and is tried once more, instead of failing where Ollama would queue it.
      if (!admits || call.signal.aborted || !isBusy(error)) throw error;
      await admitted(call);
      return sendToCandidates(call);
    }
  };

  const sendToCandidates = async (call: OllamaCall): Promise<OllamaFetchResponse> => {
    let lastError: unknown;
    // A host that answered 503 busy: if no later host answers, the request failed for want of a slot, not a host.
    let busy: unknown;
    const failures: Array<{ url: string; reason: string }> = [];
    const candidates = pool.candidates(call.model, call.sessionId);
    const last = candidates.length - 1;
    for (let index = 0; index <= last; index++) {
      const url = candidates[index]!;
      const started = tracks ? performance.now() : 0;
      if (tracks) pool.begin!(url);
      let response: OllamaFetchResponse;
      try {
        response = await sendTo(url, call);
      } catch (error) {
        if (tracks) pool.end!(url, undefined);
        if (call.signal.aborted) throw mapOllamaFailure(error);
        if (isConnectFailure(error)) {
          pool.markDown(url, failureReason(error));
          lastError = error;
          failures.push({ url, reason: failureReason(error) });
          // The last host's failure is the request's error: the error handler logs it once (and folds repeats).
          if (index < last) {
            call.logger?.warn('ollama host unreachable, trying the next one', { url, error: String(error) });
            pool.failedOver?.(url);
          }
          continue;
        }
        // Nothing reached the client yet: a busy host, a server error or a stale model list moves on to the next host.
        if (index < last && isRetryableBeforeFirstByte(error)) {
          if (isBusy(error)) busy = error;
          if (error instanceof ModelNotFoundError && call.model !== undefined) pool.missed?.(url, call.model);
          else pool.failed?.(url, (error as Error).message);
          call.logger?.warn('ollama host failed before answering, trying the next one', { url, error: (error as Error).message });
          pool.failedOver?.(url);
          continue;
        }
        if (error instanceof ModelNotFoundError && call.model !== undefined) pool.missed?.(url, call.model);
        throw mapOllamaFailure(error);
      }
      pool.markUp(url);
      if (choosesHost && call.outcome !== undefined) call.outcome.host = url;
      if (call.sessionId !== undefined) pool.served?.(call.sessionId, url);
      if (call.model !== undefined && GENERATION_PATHS.has(call.path)) pool.answered?.(url, call.model);
      if (tracks) endWhenClosed(response, () => pool.end!(url, performance.now() - started));
      return response;
    }
    if (busy !== undefined) throw busy;
    if (failures.length > 0) throw new UpstreamUnavailableError(describeUnreachable(failures), lastError);
    throw mapOllamaFailure(lastError);
  };

  return { send, sendTo, close: () => agent.close() };
}

/** Ollama's 503: its queue or the host's parallel slots are full. */
function isBusy(error: unknown): boolean {
  return typeof error === 'object' && error !== null && httpStatusOf.get(error) === 503;
}

/**
 * A 503 busy, a 5xx, a "model not found", or a host that dropped the connection before answering (it died mid-request):
 * another host may do better. Not timeouts (a cold load may be slow anywhere).
 */
function isRetryableBeforeFirstByte(error: unknown): boolean {
  if (error instanceof ModelNotFoundError) return true;
  if (errorCodes(error).some((code) => DROPPED_CODES.has(code))) return true;
  const status = typeof error === 'object' && error !== null ? httpStatusOf.get(error) : undefined;
  return status !== undefined && status >= 500 && status !== 504;
}

/** The host closed or reset the connection before any response byte. */
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** Calls after which Ollama holds the model in memory. */
const GENERATION_PATHS = new Set(['/api/chat', '/api/generate', '/api/embed']);

/** The HTTP status behind an error sendTo threw (errors only: nothing is recorded for answered calls). */
const httpStatusOf = new WeakMap<object, number>();

/** The request counts as in flight until its body is read or dropped (undici bodies are Readables). */
function endWhenClosed(response: OllamaFetchResponse, done: () => void): void {
  const body = response.body as (AsyncIterable<Uint8Array> & { once?: (event: string, listener: () => void) => unknown; destroyed?: boolean }) | null;
  if (body === null || typeof body.once !== 'function' || body.destroyed === true) return done();
  // 'end' when the body was read to the end (before the reader's promise settles), 'close' when it was dropped.
  let ended = false;
  const once = () => {
    if (ended) return;
    ended = true;
    done();
  };
  body.once('end', once);
  body.once('close', once);
}

/**
 * Reads a whole JSON body and checks it: with a zod schema (rare endpoints) or a hand-written reader (chat and
 * generate answers, the same checks as their streamed lines). `{"error"}` bodies become UpstreamError.
 */
export async function readJson<T>(response: OllamaFetchResponse, check: z.ZodType<T> | ((value: unknown) => T), what: string): Promise<T> {
  let value: unknown;
  try {
    value = JSON.parse(await response.text());
  } catch (error) {
    throw error instanceof SyntaxError ? new UpstreamError(`Ollama sent invalid JSON for ${what}.`, error) : mapOllamaFailure(error);
  }
  const error = (value as { error?: unknown } | null)?.error;
  if (typeof error === 'string') throw mapOllamaStreamError(error);
  if (typeof check === 'function') return check(value);
  const parsed = check.safeParse(value);
  if (!parsed.success) throw new UpstreamError(`Ollama sent an unexpected ${what}: ${parsed.error.message}`, parsed.error);
  return parsed.data;
}

/**
 * undici's request() on the Agent with the origin and path already split: the top-level request(url) parses the
 * URL and builds a dispatcher call on every request. Host URLs are few (OLLAMA_URL), so each is parsed once.
 */
function requestWith(agent: Agent): (url: string, path: string, init: OllamaFetchInit) => Promise<OllamaFetchResponse> {
  const targets = new Map<string, { origin: string; prefix: string }>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (target === undefined) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, prefix: parsed.pathname.replace(/\/+$/, '') };
      targets.set(url, target);
    }
    return target;
  };
  return async (url, path, init) => {
    const target = targetOf(url);
    const { statusCode, headers, body } = await agent.request({
      origin: target.origin,
      path: target.prefix + path,
      method: init.method,
      headers: init.headers,
      body: init.body ?? null,
      signal: init.signal,
    });
    return {
      ok: statusCode >= 200 && statusCode < 300,
      status: statusCode,
      headers: {
        get(name) {
          const value = headers[name.toLowerCase()];
          return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
        },
      },
      body,
      text: () => body.text(),
    };
  };
}

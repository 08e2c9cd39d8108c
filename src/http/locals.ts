import type { Logger } from '../core/logger.js';
import type { Principal } from '../core/principal.js';
import type { CacheControl, CallContext } from '../core/chat-backend.js';
import type { CallOutcome } from '../core/call-outcome.js';
import type { StreamEncoder } from '../core/stream-encoder.js';
import type { ParsedCall } from './route-table.js';

/** What middleware and routes share about one request, typed (Express' res.locals is Record<string, any>). */
export interface RequestLocals {
  requestId: string;
  startedAt: bigint;
  logger: Logger;
  abort: AbortController;
  principal?: Principal;
  /** Route template for logs and metrics (bounded label values), set by each route. */
  route?: string;
  /** The route's parsed body (route-table.ts `parsed`): canonical request and stream flag. */
  call?: ParsedCall;
  model?: string;
  stream?: boolean;
  /** What the pipeline learnt about the call (cache status, resolved model, usage…): headers, access line, token limit. */
  outcome: CallOutcome;
  /** Ollama's native API (passthrough) reports errors as Ollama does, `{"error":"message"}`; the default is OpenAI's shape. */
  errorShape?: 'openai' | 'ollama' | 'anthropic';
  /** The client's address under TRUST_PROXY (audit; rate-limit identity when auth is off). */
  clientIp?: string | undefined;
  /** The request's Cache-Control directives for the response cache (middleware/cache-control.ts). */
  cacheControl?: CacheControl;
  /** The catalog code of the error this request was answered with; the access line carries it. */
  errorCode?: string;
  /**
   * The encoder of the stream this response carries, set by writeStream when the 200 goes out: a failure
   * after that (upstream, shutdown) ends the stream with its error frame.
   */
  streamEncoder?: Pick<StreamEncoder<never>, 'errorFrame'>;
}

/**
 * A request's locals with every field present from the start, in one order: each read is a fast property access
 * of one shape. (Express' own `Object.create(null)` is a dictionary-mode object in V8: every read a hash lookup.)
 */
class RequestLocalsRecord {
  requestId: string | undefined = undefined;
  startedAt: bigint | undefined = undefined;
  logger: Logger | undefined = undefined;
  abort: AbortController | undefined = undefined;
  principal: Principal | undefined = undefined;
  route: string | undefined = undefined;
  call: ParsedCall | undefined = undefined;
  model: string | undefined = undefined;
  stream: boolean | undefined = undefined;
  outcome: CallOutcome | undefined = undefined;
  errorShape: RequestLocals['errorShape'] = undefined;
  clientIp: string | undefined = undefined;
  cacheControl: CacheControl | undefined = undefined;
  errorCode: string | undefined = undefined;
  streamEncoder: RequestLocals['streamEncoder'] = undefined;
}

/** Fresh locals for one request, set before any middleware runs (Express keeps a response's existing locals). */
export function createRequestLocals(): Partial<RequestLocals> {
  return new RequestLocalsRecord() as Partial<RequestLocals>;
}

declare module 'express-serve-static-core' {
  interface Locals extends Partial<RequestLocals> {}
}

export function callContext(locals: Partial<RequestLocals>, sessionId?: string): CallContext {
  const abort = locals.abort!;
  const ctx: CallContext = {
    // Read on demand: Node builds an AbortController's signal (an EventTarget) on first access, and a call
    // answered from the cache never needs it.
    get signal() {
      return abort.signal;
    },
    requestId: locals.requestId!,
    principal: locals.principal!,
    logger: locals.logger!,
    outcome: locals.outcome!,
  };
  if (sessionId) ctx.sessionId = sessionId;
  if (locals.cacheControl) ctx.cacheControl = locals.cacheControl;
  return ctx;
}

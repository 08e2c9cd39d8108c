import type { StreamEncoder } from '../core/stream-encoder.js';
import type { HttpResponse } from './http-types.js';
import type { OpenStreams } from './open-streams.js';

// The one writer of streamed answers (chat chunks, text completions, Responses and Anthropic events, progress
// streams): the route hands it events and its protocol's encoder; this file owns everything about the socket.

/** Watches events on their way to the encoder: metrics, usage, storing a response before its last frame. */
export interface StreamTap<E> {
  /** Sees each event before it is encoded; a returned promise holds the stream until it settles. */
  see(event: E): void | Promise<void>;
  /** The stream is over, however it ended (called once). */
  close?(): void;
}

/** The server's settings, the same for every stream. */
export interface StreamSettings {
  /** Keep-alive interval while nothing else is written (model loading, long thinking). */
  heartbeatMs: number;
  /**
   * How long to wait for the first event before committing to a 200. Errors that arrive within it (unknown
   * model, Ollama down) still get their real status code, which the SDKs map to error classes.
   */
  holdHeadersMs: number;
  /** Streams the server ends at shutdown: each is interrupted by aborting its request with the shutdown error. */
  openStreams?: OpenStreams | undefined;
}

/** What one route adds for one stream. */
export interface StreamCallOptions<E> {
  /** Called just before the 200 goes out, to set headers that depend on the first event (e.g. X-Cache). */
  beforeHeaders?: () => void;
  tap?: StreamTap<E>;
}

export interface WriteStreamOptions<E> extends StreamSettings, StreamCallOptions<E> {
  /** Aborted when the client leaves (or at shutdown): the writer stops waiting and closes the events' source. */
  signal: AbortSignal;
  /** The request's controller, which shutdown aborts with its error (needs openStreams). */
  abort?: AbortController | undefined;
}

/** writeStream with the server's settings bound and the request's own abort controller. */
export type StreamWriter = <E>(res: HttpResponse, events: AsyncIterable<E>, encoder: StreamEncoder<E>, options?: StreamCallOptions<E>) => Promise<void>;

export function createStreamWriter(settings: StreamSettings): StreamWriter {
  return (res, events, encoder, options) => {
    const abort = res.locals.abort!;
    return writeStream(res, events, encoder, { ...settings, ...options, signal: abort.signal, abort });
  };
}

const HEADERS = {
  sse: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' },
  ndjson: { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
};

const TIMED_OUT = Symbol('timed out');

/** Frames wait for the end of the tick up to this size; a bigger batch is written at once (bounded memory). */
const MAX_BATCH_CHARS = 16_384;

/**
 * Writes what `encoder` makes of each event, awaiting `drain` when the socket pushes back, then the encoder's
 * end. Frames made in the same tick (one upstream read holds many NDJSON lines) are joined and leave in one
 * write. Errors are rethrown: once the 200 is out, the error handler ends the stream with
 * `encoder.errorFrame`, which this writer registers as `res.locals.streamEncoder`.
 */
export async function writeStream<E>(res: HttpResponse, events: AsyncIterable<E>, encoder: StreamEncoder<E>, options: WriteStreamOptions<E>): Promise<void> {
  const iterator = events[Symbol.asyncIterator]();
  const { signal, tap } = options;
  let batch = '';
  let isFlushScheduled = false;
  const flush = () => {
    isFlushScheduled = false;
    if (batch === '' || res.writableEnded || res.destroyed) return;
    const text = batch;
    batch = '';
    res.write(text);
  };
  let heartbeat: NodeJS.Timeout | undefined;
  try {
    const pending = iterator.next();
    const first = await raceTimeout(pending, options.holdHeadersMs);
    options.beforeHeaders?.();
    start(res, encoder);
    const { abort } = options;
    // Tracked until the response closes, so shutdown waits for the error frame the error handler writes.
    if (abort && options.openStreams) res.once('close', options.openStreams.track((error) => abort.abort(error)));
    // Ping only after a whole interval without a frame.
    let isQuiet = true;
    if (encoder.heartbeat !== '') {
      heartbeat = setInterval(() => {
        if (isQuiet && !res.writableEnded) res.write(encoder.heartbeat);
        isQuiet = true;
      }, options.heartbeatMs);
      heartbeat.unref();
    }
    let result = first === TIMED_OUT ? await pending : first;
    while (!result.done) {
      if (tap !== undefined) {
        const held = tap.see(result.value);
        if (held !== undefined) await held;
      }
      const frames = encoder.encode(result.value);
      if (encoder.isComplete) {
        batch += frames;
        break;
      }
      // Events that make no frame (thinking a client asked not to see) leave the connection quiet.
      if (frames !== '') {
        batch += frames;
        isQuiet = false;
        if (batch.length >= MAX_BATCH_CHARS) flush();
        else if (!isFlushScheduled) {
          isFlushScheduled = true;
          process.nextTick(flush);
        }
      }
      if (res.writableNeedDrain) await drained(res, signal);
      result = await iterator.next();
    }
    const closing = encoder.end();
    const rest = batch;
    batch = '';
    res.end(rest + closing);
  } finally {
    clearInterval(heartbeat);
    // An error ends the stream with a frame written by the error handler: frames already made go first.
    flush();
    tap?.close?.();
    // Stop the source when the client left, or when the answer was complete before the events ended.
    if (signal.aborted || encoder.isComplete) await iterator.return?.();
  }
}

function start(res: HttpResponse, encoder: StreamEncoder<unknown>): void {
  res.writeHead(200, HEADERS[encoder.format]);
  res.flushHeaders();
  // Small frames must leave at once, not wait for Nagle.
  res.socket?.setNoDelay(true);
  // What the error handler ends this stream with if it fails from here on.
  res.locals.streamEncoder = encoder;
}

async function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function drained(res: HttpResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      if (signal.aborted) reject(signal.reason);
      else resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    signal.addEventListener('abort', done);
  });
}

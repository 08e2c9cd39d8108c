import type { ServerResponse } from 'node:http';
import type { EventMapper } from '../core/event-mapper.js';
import type { OpenStreams } from './open-streams.js';

export interface WriteSseOptions<T extends object = object> {
  signal: AbortSignal;
  /** `: ping` comment interval while nothing else is written (model loading, long thinking). */
  heartbeatMs: number;
  /**
   * How long to wait for the first item before committing to a 200 SSE response. Errors that arrive within it
   * (unknown model, Ollama down) still get their real status code, which the SDKs map to error classes.
   */
  holdHeadersMs: number;
  /** Item → JSON text; defaults to JSON.stringify (chat streams pass a faster, byte-identical serializer). */
  serialize?: (item: T) => string;
  /** Called just before the 200 goes out, to set headers that depend on the first item (e.g. X-Cache). */
  beforeHeaders?: () => void;
  /**
   * Open streams the server ends at shutdown: the writer registers itself once headers are out, and is
   * interrupted by aborting `abort` with the shutdown error, so it ends through its usual error path.
   */
  openStreams?: OpenStreams | undefined;
  abort?: AbortController | undefined;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

export const TIMED_OUT = Symbol('timed out');

/** Frames wait for the end of the tick up to this size; a bigger batch is written at once (bounded memory). */
const MAX_BATCH_CHARS = 16_384;

/**
 * Turns the events of a stream into frames, one event at a time, inside the writer's loop: a translation
 * written this way costs no async step per event (an async generator between source and writer costs one).
 */
export interface SseFrameMapper<E, F> extends EventMapper<E, F> {
  /** Called once, however the stream ends (bookkeeping such as an open-streams gauge). */
  close?(): void;
}

const asFrames: SseFrameMapper<object, object> = {
  map(item, out) {
    out.push(item);
    return false;
  },
  end() {},
};

/**
 * Writes each item as a `data:` frame, awaiting `drain` when the socket pushes back, then `data: [DONE]`.
 * Errors are rethrown: the error handler writes them as the final frame once headers are out.
 * Frames produced in the same tick (one upstream read holds many NDJSON lines) are joined and leave in one
 * write: one chunk of the chunked response and one socket write, instead of three buffers per frame.
 */
export function writeSse<T extends object>(res: ServerResponse, items: AsyncIterable<T>, options: WriteSseOptions<T>): Promise<void> {
  return writeSseFrom(res, items, asFrames as SseFrameMapper<T, T>, options);
}

/** writeSse for a stream of events that `frames` turns into SSE frames as they are written. */
export async function writeSseFrom<E, F extends object>(
  res: ServerResponse,
  events: AsyncIterable<E>,
  frames: SseFrameMapper<E, F>,
  options: WriteSseOptions<F>,
): Promise<void> {
  const iterator = events[Symbol.asyncIterator]();
  const serialize: (frame: F) => string = options.serialize ?? JSON.stringify;
  const out: F[] = [];
  let batch = '';
  let isFlushScheduled = false;
  const flush = () => {
    isFlushScheduled = false;
    if (batch === '' || res.writableEnded || res.destroyed) return;
    const text = batch;
    batch = '';
    res.write(text);
  };
  const take = () => {
    for (let index = 0; index < out.length; index++) batch += `data: ${serialize(out[index]!)}\n\n`;
    out.length = 0;
  };
  let heartbeat: NodeJS.Timeout | undefined;
  let isComplete = false;
  try {
    const pending = iterator.next();
    const first = await raceTimeout(pending, options.holdHeadersMs);
    options.beforeHeaders?.();
    startSse(res);
    const { abort } = options;
    // Tracked until the response closes, so shutdown waits for the error frame the error handler writes.
    if (abort && options.openStreams) res.once('close', options.openStreams.track((error) => abort.abort(error)));
    // Ping only after a whole interval without a frame.
    let isQuiet = true;
    heartbeat = setInterval(() => {
      if (isQuiet && !res.writableEnded) res.write(': ping\n\n');
      isQuiet = true;
    }, options.heartbeatMs);
    heartbeat.unref();
    let result = first === TIMED_OUT ? await pending : first;
    while (!result.done) {
      isComplete = frames.map(result.value, out);
      take();
      if (isComplete) break;
      if (batch.length >= MAX_BATCH_CHARS) flush();
      else if (!isFlushScheduled) {
        isFlushScheduled = true;
        process.nextTick(flush);
      }
      if (res.writableNeedDrain) await drained(res, options.signal);
      isQuiet = false;
      result = await iterator.next();
    }
    if (!isComplete) {
      frames.end(out);
      take();
    }
    const rest = batch;
    batch = '';
    res.end(`${rest}data: [DONE]\n\n`);
  } finally {
    clearInterval(heartbeat);
    // An error ends the stream with a frame written by the error handler: frames already made go first.
    flush();
    frames.close?.();
    // Stop the source when the client left, or when the frames were complete before the events ended.
    if (options.signal.aborted || isComplete) await iterator.return?.();
  }
}

function startSse(res: ServerResponse): void {
  res.writeHead(200, SSE_HEADERS);
  res.flushHeaders();
  // Small frames must leave at once, not wait for Nagle.
  res.socket?.setNoDelay(true);
}

export async function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
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

export function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
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

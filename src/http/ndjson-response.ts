import type { ServerResponse } from 'node:http';
import type { OpenStreams } from './open-streams.js';
import { drained, raceTimeout, TIMED_OUT } from './sse.js';

export interface WriteNdjsonOptions {
  signal: AbortSignal;
  /** As in writeSse: errors that arrive before the first item (or within this time) keep their real status. */
  holdHeadersMs: number;
  /** As in writeSse: ended with a final `{"error"}` line (code server_shutting_down) when the shutdown grace runs out. */
  openStreams?: OpenStreams | undefined;
  abort?: AbortController | undefined;
}

/**
 * Writes each item as one JSON line (application/x-ndjson, Ollama's own streaming format), awaiting `drain`
 * when the socket pushes back. Errors are rethrown: the error handler writes them as a final `{"error"}` line.
 */
export async function writeNdjson<T extends object>(res: ServerResponse, items: AsyncIterable<T>, options: WriteNdjsonOptions): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  const pending = iterator.next();
  const first = await raceTimeout(pending, options.holdHeadersMs);
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  const { abort } = options;
  if (abort && options.openStreams) res.once('close', options.openStreams.track((error) => abort.abort(error)));
  try {
    let result = first === TIMED_OUT ? await pending : first;
    while (!result.done) {
      if (!res.write(`${JSON.stringify(result.value)}\n`)) await drained(res, options.signal);
      result = await iterator.next();
    }
    res.end();
  } finally {
    if (options.signal.aborted) await iterator.return?.();
  }
}

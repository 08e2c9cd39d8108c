import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpenStreams } from '../open-streams.js';

/**
 * Registers a streamed native response (Ollama's NDJSON, piped through untouched) with the open streams, so
 * shutdown ends it as Ollama ends a failed stream: one last `{"error":"…"}` line under the 200 already sent.
 * Only chunked NDJSON qualifies: a response with a Content-Length cannot take an extra line.
 */
export function trackNativeStream(openStreams: OpenStreams, upstream: IncomingMessage, res: ServerResponse): void {
  const type = String(upstream.headers['content-type'] ?? '');
  if (!type.startsWith('application/x-ndjson') || upstream.headers['content-length'] !== undefined) return;
  let endsWithNewline = true;
  upstream.on('data', (chunk: Buffer) => {
    if (chunk.length > 0) endsWithNewline = chunk[chunk.length - 1] === 0x0a;
  });
  const untrack = openStreams.track((error) => {
    upstream.unpipe(res);
    upstream.destroy();
    if (res.writableEnded || res.destroyed) return;
    res.end(`${endsWithNewline ? '' : '\n'}${JSON.stringify({ error: error.message })}\n`);
  });
  res.once('close', untrack);
}

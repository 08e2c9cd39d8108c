import type { IncomingMessage, ServerResponse } from 'node:http';
import { UpstreamError } from '../../core/errors.js';
import { filterModelListing } from './native-model-access.js';

// Sends Ollama's /api/tags or /api/ps answer to a key with a model allow-list, keeping only the models it may
// use. Anything but a 200 goes through as it came.

/** Hop-by-hop and length headers: the filtered body gets its own length. */
const DROPPED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'content-encoding']);
const HOP_BY_HOP = new Set(['transfer-encoding', 'connection', 'keep-alive']);
/** A model listing is a few kilobytes per model; far beyond this is not a listing. */
const MAX_LISTING_BYTES = 16 * 2 ** 20;

export function sendFilteredListing(upstream: IncomingMessage, res: ServerResponse, patterns: readonly string[], fail?: (error: unknown) => void): void {
  const status = upstream.statusCode ?? 502;
  if (status !== 200) {
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) res.setHeader(name, value);
    }
    res.statusCode = status;
    upstream.pipe(res);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const give = (error: unknown) => (fail ? fail(error) : res.destroy());
  upstream.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_LISTING_BYTES) return void upstream.destroy(new Error('model listing too large'));
    chunks.push(chunk);
  });
  upstream.on('error', () => give(new UpstreamError('Ollama\'s model listing could not be read.')));
  upstream.on('end', () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
    } catch {
      return give(new UpstreamError('Ollama answered the model listing with something that is not JSON.'));
    }
    const text = JSON.stringify(filterModelListing(body, patterns));
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value !== undefined && !DROPPED_HEADERS.has(name)) res.setHeader(name, value);
    }
    res.setHeader('content-length', Buffer.byteLength(text));
    res.statusCode = 200;
    res.end(text);
  });
}

import type { Response } from 'express';

/**
 * res.json() without Express' generic send path (content-type re-parsing, freshness check, and a Buffer copy for
 * bodies over 1000 characters that makes Node write headers and body as two chunks). For 200 answers to POSTs,
 * where none of that applies; the headers are the ones res.json() sends.
 */
export function sendJson(res: Response, body: unknown): void {
  const text = JSON.stringify(body);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

import type { ServerResponse } from 'node:http';

/**
 * res.json() without Express' generic send path (content-type re-parsing, freshness check, and a Buffer copy for
 * bodies over 1000 characters that makes Node write headers and body as two chunks); the headers are the ones
 * res.json() sends, the status is res.statusCode. Works on a plain ServerResponse (the hot routes have no Express).
 */
export function sendJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

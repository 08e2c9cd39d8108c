import type { IncomingMessage } from 'node:http';
import express, { type Request, type Response } from 'express';
import { InvalidRequestError, ProxyError } from '../../core/errors.js';
import { DEFAULT_MAX_JSON_DEPTH, exceedsJsonDepth } from '../../shared/json-depth.js';
import { tooDeepError } from '../body-errors.js';
import type { Handler, HttpRequest, HttpResponse, Next } from '../http-types.js';

const UNITS: Record<string, number> = { b: 1, kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30, tb: 2 ** 40, pb: 2 ** 50 };
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|pb)?\s*$/i;
const FIRST_NON_WHITESPACE = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d]|$)/;

/** '20mb' → bytes, as body-parser reads BODY_LIMIT (1024-based units); undefined when it cannot be read. */
export function parseByteLimit(limit: string): number | undefined {
  const match = SIZE.exec(limit);
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]!);
}

/** Plain `application/json`, optionally `; charset=utf-8`: the shape every SDK sends, and the only one read here. */
function isPlainJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  if (semicolon === -1) return contentType.trim().toLowerCase() === 'application/json';
  if (contentType.slice(0, semicolon).trim().toLowerCase() !== 'application/json') return false;
  const param = contentType.slice(semicolon + 1).trim().toLowerCase().replaceAll('"', '');
  return param === 'charset=utf-8' || param === 'charset=utf8';
}

/** application/json (any parameters) or a +json type: what express.json would read. */
function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length.trim() !== '0');
}

/** A body that is not declared JSON would be ignored, and the route would report a missing field: say why instead. */
function wrongContentType(contentType: string | undefined): ProxyError {
  const got = contentType === undefined ? 'the request had no Content-Type header' : `it was '${contentType}'`;
  return new ProxyError('unsupported_media_type', `The request body must be JSON, sent with the header 'Content-Type: application/json' (${got}).`);
}

/** Already read by an earlier parser, or nothing left to read (on-finished's test for a request). */
function isConsumed(req: IncomingMessage): boolean {
  return Boolean(!req.socket || !req.socket.readable || (req.complete && !req.readable));
}

/** Same rules as body-parser's strict JSON: empty is {}, otherwise an object or array; nesting bounded. */
function parseJson(bytes: Buffer, maxDepth: number): unknown {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  const first = text[0] === '{' || text[0] === '[' ? text[0] : FIRST_NON_WHITESPACE.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw new InvalidRequestError('The request body is not valid JSON.');
  if (exceedsJsonDepth(text, maxDepth)) throw tooDeepError(text, maxDepth);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidRequestError('The request body is not valid JSON.', null, error);
  }
}

/** Like body-parser: the rest of a refused body is drained before answering, so the client reads the error. */
function failAfterDrain(req: HttpRequest, error: ProxyError, next: Next): void {
  if (isConsumed(req)) return next(error);
  const done = () => next(error);
  req.once('end', done).once('error', done).once('close', done);
  req.resume();
}

/** body-parser's verify hook: the decoded text of a gzip/deflate/br or non-UTF-8 body, before it is parsed. */
function checkDepth(bytes: Buffer, encoding: string, maxDepth: number): void {
  let text: string;
  try {
    text = new TextDecoder(encoding).decode(bytes);
  } catch {
    return; // An encoding TextDecoder does not know: body-parser refuses it next (415 → 400).
  }
  if (exceedsJsonDepth(text, maxDepth)) throw tooDeepError(text, maxDepth);
}

function readBody(req: HttpRequest, maxBytes: number, maxDepth: number, next: Next): void {
  const tooLarge = () => new ProxyError('payload_too_large', 'The request body is too large.');
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return failAfterDrain(req, tooLarge(), next);
  const chunks: Buffer[] = [];
  let received = 0;
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBytes) {
      cleanup();
      return failAfterDrain(req, tooLarge(), next);
    }
    chunks.push(chunk);
  };
  const onEnd = () => {
    cleanup();
    let body: unknown;
    try {
      body = parseJson(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received), maxDepth);
    } catch (error) {
      return next(error);
    }
    req.body = body;
    next();
  };
  const onError = (error: unknown) => {
    cleanup();
    next(new InvalidRequestError('The request body could not be read.', null, error));
  };
  const cleanup = () => {
    req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onError);
  };
  req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onError);
}

/**
 * express.json() with the same limit and errors, reading the common case (identity-encoded `application/json`,
 * UTF-8) itself: body-parser's generic path (raw-body, iconv, type-is, on-finished) cost more CPU than the JSON.parse.
 * Anything else (gzip, other charsets, other types, no body) goes to express.json so its behaviour is unchanged;
 * its limit applies to the decompressed bytes, so a compression bomb stops at BODY_LIMIT. Both paths bound the
 * nesting depth (BODY_MAX_DEPTH) before JSON.parse.
 */
export function jsonBody({ limit, maxDepth = DEFAULT_MAX_JSON_DEPTH }: { limit: string; maxDepth?: number }): Handler {
  const parser = express.json({ limit, verify: (_req, _res, bytes, encoding) => checkDepth(bytes, encoding, maxDepth) });
  // body-parser reads only Node's request API, so it runs on the hot routes' plain objects too.
  const fallback: Handler = (req, res, next) => parser(req as Request, res as unknown as Response, next);
  const maxBytes = parseByteLimit(limit);
  if (maxBytes === undefined) return fallback;
  return function jsonBodyMiddleware(req: HttpRequest, res: HttpResponse, next: Next): void {
    const { headers } = req;
    const lean =
      headers['content-encoding'] === undefined &&
      headers['transfer-encoding'] === undefined &&
      headers['content-length'] !== undefined &&
      isPlainJson(headers['content-type']) &&
      !isConsumed(req);
    if (lean) readBody(req, maxBytes, maxDepth, next);
    else if (hasBody(req) && !isJsonType(headers['content-type'])) failAfterDrain(req, wrongContentType(headers['content-type']), next);
    else void fallback(req, res, next);
  };
}

import { InvalidRequestError, type ProxyError } from '../core/errors.js';
import { jsonDepthPath } from '../shared/json-depth.js';

// Request-body failures that are the client's doing and must answer 400, never 500: a body nested deeper
// than BODY_MAX_DEPTH, and what body-parser reports without a `type` (a corrupt gzip/deflate/br stream,
// a body shorter than its Content-Length): http-errors gives those status 400 and `expose`.

export function tooDeepError(text: string, maxDepth: number): InvalidRequestError {
  const param = jsonDepthPath(text, maxDepth);
  const where = param === '' ? '' : ` at '${param}'`;
  return new InvalidRequestError(`The request body nests objects and arrays deeper than ${maxDepth} levels${where}.`, param === '' ? null : param);
}

/** A client-side body read failure from body-parser (status 4xx, exposed), as a catalog error; else undefined. */
export function fromBodyReadError(error: object): ProxyError | undefined {
  const { status, expose, code } = error as { status?: unknown; expose?: unknown; code?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500 || expose !== true) return undefined;
  // zlib's codes: Z_DATA_ERROR, Z_BUF_ERROR (truncated); brotli's start with ERR_.
  if (typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR_'))) {
    return new InvalidRequestError('The request body could not be decompressed: it does not match its Content-Encoding.');
  }
  if (status === 413) return undefined;
  return new InvalidRequestError('The request body could not be read.');
}

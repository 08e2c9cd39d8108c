import { InvalidRequestError, ProxyError } from '../core/errors.js';
import type { HttpRequest } from './http-types.js';

/**
 * The whole request body as bytes, at most maxBytes (413 beyond, 400 when it cannot be read). Used where a
 * body must be checked before it is forwarded as it is (the native passthrough's model allow-list).
 */
export function readBodyBytes(req: HttpRequest, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new ProxyError('payload_too_large', 'The request body is too large.');
    if (Number(req.headers['content-length']) > maxBytes) {
      req.resume();
      return reject(tooLarge());
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => void req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onError);
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= maxBytes) return void chunks.push(chunk);
      cleanup();
      req.resume();
      reject(tooLarge());
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    };
    const onError = (error: unknown) => {
      cleanup();
      reject(new InvalidRequestError('The request body could not be read.', null, error));
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onError);
  });
}

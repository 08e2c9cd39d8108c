import { toAnthropicErrorType } from '../anthropic/to-anthropic-error.js';
import { looksNative } from './request-target.js';

// What Node's HTTP parser refuses before any route runs (ambiguous framing such as Content-Length with
// Transfer-Encoding, bad chunk framing, headers over the limit, a request that took too long to arrive) is
// answered here with a JSON body in the shape of the protocol the request was for, when its request line can
// be read from the raw bytes: Ollama's `{"error":"…"}` for native /api/*, Anthropic's for /v1/messages, else
// OpenAI's. Pure: the raw bytes in, the whole HTTP/1.1 response out; the connection is always closed.

export interface ParserError {
  code?: string;
  /** The bytes Node was parsing when it failed (a Buffer), when it has them. */
  rawPacket?: unknown;
}

interface Refusal {
  status: number;
  reason: string;
  code: string;
  message: string;
}

const REQUEST_LINE = /^[A-Z]{3,10} (\S{1,2048}) HTTP\/1\.[01]\r?\n/;

function refusalFor(error: ParserError): Refusal {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'Request Header Fields Too Large', code: 'request_header_fields_too_large', message: 'The request headers are too large.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', code: 'request_timeout', message: 'The request did not arrive in time.' };
    default:
      return {
        status: 400,
        reason: 'Bad Request',
        code: 'malformed_request',
        message: 'The request is malformed (its framing is ambiguous or invalid: for example Content-Length together with Transfer-Encoding, or bad chunks).',
      };
  }
}

/** The request target of the raw request, when its first line is a well-formed request line. */
export function requestTargetOf(rawPacket: unknown): string | undefined {
  if (!Buffer.isBuffer(rawPacket)) return undefined;
  return REQUEST_LINE.exec(rawPacket.subarray(0, 2100).toString('latin1'))?.[1];
}

function bodyFor(refusal: Refusal, target: string | undefined): unknown {
  if (target !== undefined && looksNative(target)) return { error: refusal.message };
  if (target !== undefined && /^\/v1\/messages(?:[/?]|$)/.test(target)) {
    return { type: 'error', error: { type: toAnthropicErrorType(refusal.status), message: refusal.message } };
  }
  return { error: { message: refusal.message, type: 'invalid_request_error', param: null, code: refusal.code } };
}

export function clientErrorResponse(error: ParserError): string {
  const refusal = refusalFor(error);
  const body = JSON.stringify(bodyFor(refusal, requestTargetOf(error.rawPacket)));
  return `HTTP/1.1 ${refusal.status} ${refusal.reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

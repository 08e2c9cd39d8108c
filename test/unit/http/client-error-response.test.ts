import { describe, expect, it } from 'vitest';
import { clientErrorResponse, requestTargetOf } from '../../../src/http/client-error-response.js';

const parse = (raw: string) => {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  return { statusLine: head.split('\r\n')[0], head, body: JSON.parse(body) as unknown };
};

describe('clientErrorResponse', () => {
  it('answers a request too slow to arrive with 408, OpenAI-shaped, closing the connection', () => {
    const { statusLine, head, body } = parse(clientErrorResponse({ code: 'ERR_HTTP_REQUEST_TIMEOUT' }));
    expect(statusLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(head).toContain('connection: close');
    expect(body).toMatchObject({ error: { code: 'request_timeout', type: 'invalid_request_error' } });
  });

  it('reads the protocol from the request line only when it is well formed', () => {
    expect(requestTargetOf(Buffer.from('POST /api/chat HTTP/1.1\r\nHost: x\r\n'))).toBe('/api/chat');
    expect(requestTargetOf(Buffer.from('garbage /api/chat HTTP/1.1\r\n'))).toBeUndefined();
    expect(requestTargetOf('POST /api/chat HTTP/1.1\r\n')).toBeUndefined();
    expect(parse(clientErrorResponse({ code: 'HPE_UNEXPECTED_CONTENT_LENGTH', rawPacket: Buffer.from('x\r\n') })).body).toMatchObject({ error: { code: 'malformed_request' } });
  });

  it('gives the right Content-Length for a body in any shape', () => {
    const raw = clientErrorResponse({ code: 'HPE_HEADER_OVERFLOW', rawPacket: Buffer.from('POST /v1/messages HTTP/1.1\r\n') });
    const length = Number(/content-length: (\d+)/.exec(raw)?.[1]);
    expect(Buffer.byteLength(raw.split('\r\n\r\n')[1]!)).toBe(length);
    expect(parse(raw).body).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'The request headers are too large.' } });
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyError, UpstreamError } from '../../src/core/errors.js';
import type { StreamEncoder } from '../../src/core/stream-encoder.js';
import type { HttpResponse } from '../../src/http/http-types.js';
import { writeStream, type WriteStreamOptions } from '../../src/http/write-stream.js';
import { createNdjsonEncoder } from '../../src/openai/json-stream-encoders.js';

// writeStream: the one writer of streamed answers; a protocol gives it only an encoder.

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(handler: (res: HttpResponse) => void): Promise<string> {
  server = createServer((_req, res) => {
    const response = res as HttpResponse;
    response.locals = {};
    handler(response);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const options: WriteStreamOptions<string> = { signal: new AbortController().signal, heartbeatMs: 60_000, holdHeadersMs: 0 };

/** Two frames a word, complete at `done`; end() throws unless complete, as the chat encoders do. */
function wordEncoder(): StreamEncoder<string> {
  let isComplete = false;
  return {
    format: 'sse',
    heartbeat: ': ping\n\n',
    get isComplete() {
      return isComplete;
    },
    encode(word) {
      if (word === 'done') isComplete = true;
      return isComplete ? '' : `data: ${word}\n\ndata: ${word.toUpperCase()}\n\n`;
    },
    end() {
      if (!isComplete) throw new UpstreamError('broke off');
      return 'data: [DONE]\n\n';
    },
    errorFrame: (error) => `data: {"error":"${error.message}"}\n\n`,
  };
}

describe('writeStream', () => {
  it('writes the frames each event makes, stops reading at completion and closes the source and the tap', async () => {
    const log: string[] = [];
    async function* events() {
      try {
        for (const word of ['a', 'b', 'done', 'never']) {
          log.push(`pulled ${word}`);
          yield word;
        }
      } finally {
        log.push('source closed');
      }
    }
    const tap = { see: (word: string) => void log.push(`saw ${word}`), close: () => log.push('tap closed') };
    const url = await serve((res) => void writeStream(res, events(), wordEncoder(), { ...options, tap }));
    const response = await fetch(url);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(await response.text()).toBe('data: a\n\ndata: A\n\ndata: b\n\ndata: B\n\ndata: [DONE]\n\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['pulled a', 'saw a', 'pulled b', 'saw b', 'pulled done', 'saw done', 'tap closed', 'source closed']);
  });

  it('holds the next event while the tap is busy (a response stored before its last frame)', async () => {
    const log: string[] = [];
    async function* events() {
      yield 'a';
      log.push('pulled done');
      yield 'done';
    }
    const tap = {
      see: (word: string) => (word === 'done' ? new Promise<void>((resolve) => setImmediate(() => resolve(void log.push('saved')))) : undefined),
    };
    const url = await serve((res) => void writeStream(res, events(), wordEncoder(), { ...options, tap }).then(() => log.push('ended')));
    expect(await (await fetch(url)).text()).toBe('data: a\n\ndata: A\n\ndata: [DONE]\n\n');
    expect(log).toEqual(['pulled done', 'saved', 'ended']);
  });

  it('rethrows when the events stop early, after the frames so far, and registers the encoder for the error frame', async () => {
    async function* events() {
      yield 'a';
    }
    const url = await serve((res) => {
      writeStream(res, events(), wordEncoder(), options).catch((error: ProxyError) => res.end(res.locals.streamEncoder!.errorFrame(error)));
    });
    expect(await (await fetch(url)).text()).toBe('data: a\n\ndata: A\n\ndata: {"error":"broke off"}\n\n');
  });

  it('keeps an early failure before the headers, so it can still be answered with its status', async () => {
    async function* events(): AsyncGenerator<string> {
      throw new ProxyError('model_not_found', 'no such model');
    }
    const url = await serve((res) => {
      writeStream(res, events(), wordEncoder(), { ...options, holdHeadersMs: 1_000 }).catch((error: ProxyError) => {
        res.statusCode = error.status;
        res.end(`${String(res.locals.streamEncoder)} ${error.message}`);
      });
    });
    const response = await fetch(url);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('undefined no such model');
  });

  it('writes NDJSON with its own headers: one object a line, no heartbeat and no terminator', async () => {
    async function* events() {
      yield { status: 'pulling' };
      // Many heartbeat intervals without an event: an SSE stream would have pinged here.
      await new Promise((resolve) => setTimeout(resolve, 20));
      yield { status: 'success' };
    }
    const url = await serve((res) => void writeStream(res, events(), createNdjsonEncoder(), { signal: new AbortController().signal, holdHeadersMs: 0, heartbeatMs: 1 }));
    const response = await fetch(url);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(await response.text()).toBe('{"status":"pulling"}\n{"status":"success"}\n');
  });
});

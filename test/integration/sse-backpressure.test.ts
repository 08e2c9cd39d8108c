import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../src/http/http-types.js';
import { writeStream } from '../../src/http/write-stream.js';
import { createJsonSseEncoder } from '../../src/openai/json-stream-encoders.js';

describe('writeStream backpressure', () => {
  it('stops pulling from the source while the client does not read, and resumes when it does', async () => {
    const total = 2_000;
    const payload = 'x'.repeat(16 * 1024);
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < total; i++) {
        pulled++;
        yield { i, payload };
      }
    }
    const app = express();
    app.get('/', async (_req, res) => {
      await writeStream(res as HttpResponse, source(), createJsonSseEncoder(), { signal: new AbortController().signal, heartbeatMs: 60_000, holdHeadersMs: 0 });
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const response = await new Promise<IncomingMessage>((resolve) => request({ port, host: '127.0.0.1', path: '/' }, resolve).end());
      response.pause();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // 2,000 frames of 16 KiB are 32 MiB; socket buffers hold a few MiB at most.
      expect(pulled).toBeLessThan(total / 2);
      let frames = 0;
      response.setEncoding('utf8');
      let tail = '';
      response.on('data', (chunk: string) => {
        const text = tail + chunk;
        const parts = text.split('\n\n');
        tail = parts.pop()!;
        frames += parts.length;
      });
      response.resume();
      await new Promise((resolve) => response.on('end', resolve));
      expect(pulled).toBe(total);
      expect(frames).toBe(total + 1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

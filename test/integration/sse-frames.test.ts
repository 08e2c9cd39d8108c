import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSseFrom, type SseFrameMapper } from '../../src/http/sse.js';

// writeSseFrom: events become frames inside the writer's loop (the chat route's path from backend to socket).

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const options = { signal: new AbortController().signal, heartbeatMs: 60_000, holdHeadersMs: 0 };

describe('writeSseFrom', () => {
  it('writes the frames each event maps to, stops reading at completion and closes the source and the mapper', async () => {
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
    const frames: SseFrameMapper<string, { word: string }> = {
      map: (event, out) => {
        if (event !== 'done') out.push({ word: event }, { word: event.toUpperCase() });
        return event === 'done';
      },
      end: () => log.push('end'),
      close: () => log.push('mapper closed'),
    };
    const url = await serve((_req, res) => void writeSseFrom(res, events(), frames, options));
    const text = await (await fetch(url)).text();
    expect(text).toBe('data: {"word":"a"}\n\ndata: {"word":"A"}\n\ndata: {"word":"b"}\n\ndata: {"word":"B"}\n\ndata: [DONE]\n\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['pulled a', 'pulled b', 'pulled done', 'mapper closed', 'source closed']);
  });

  it('lets end() refuse events that stop early: frames so far, then the error, and no [DONE]', async () => {
    async function* events() {
      yield 'a';
    }
    const frames: SseFrameMapper<string, { word: string }> = {
      map: (event, out) => {
        out.push({ word: event });
        return false;
      },
      end: () => {
        throw new Error('broke off');
      },
    };
    const url = await serve((_req, res) => {
      writeSseFrom(res, events(), frames, options).catch((error: Error) => res.end(`data: {"error":"${error.message}"}\n\n`));
    });
    const text = await (await fetch(url)).text();
    expect(text).toBe('data: {"word":"a"}\n\ndata: {"error":"broke off"}\n\n');
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

// A pass-through on 127.0.0.1:0 between an agent and the proxy that keeps each request (path, headers, JSON
// body): the agent tests save them as fixtures that a fast test replays without the agent.

export interface RecordedAgentRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface RecordingProxy {
  url: string;
  requests: RecordedAgentRequest[];
  close(): Promise<void>;
}

const HOP_HEADERS = new Set(['host', 'content-length', 'connection', 'accept-encoding']);

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: RecordedAgentRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && !HOP_HEADERS.has(name)) headers[name] = value;
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers, body: text === '' ? null : JSON.parse(text) });
    const upstream = await fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(text === '' ? {} : { body: text }) });
    const answer = Object.fromEntries([...upstream.headers].filter(([name]) => !['transfer-encoding', 'connection', 'keep-alive'].includes(name)));
    res.writeHead(upstream.status, answer);
    if (upstream.body) Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream).pipe(res);
    else res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

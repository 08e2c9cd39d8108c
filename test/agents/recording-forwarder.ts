import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

// A pass-through on 127.0.0.1:0 between an agent and the proxy that records what the agent sent (credentials
// blanked) and the status it got: the request fixtures a replay test uses without the agent's binary.

export interface RecordedAgentRequest {
  method: string;
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  status: number;
}

export interface RecordingForwarder {
  url: string;
  requests: RecordedAgentRequest[];
  close(): Promise<void>;
}

const SECRET_HEADERS = ['authorization', 'x-api-key'];

export async function startRecordingForwarder(target: string): Promise<RecordingForwarder> {
  const requests: RecordedAgentRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const bytes = Buffer.concat(chunks);
      const url = req.url ?? '/';
      const headers = { ...req.headers };
      for (const name of SECRET_HEADERS) if (headers[name] !== undefined) headers[name] = '<redacted>';
      const text = bytes.toString('utf8');
      const recorded: RecordedAgentRequest = { method: req.method ?? 'GET', url, path: url.split('?')[0]!, headers, body: text === '' ? '' : safeJson(text), status: 0 };
      requests.push(recorded);
      const upstream = httpRequest(new URL(url, target), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
        recorded.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(bytes);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

import { connect } from 'node:net';

// HTTP/1.1 over a bare socket: request targets are sent exactly as written (absolute form, fragments,
// backslashes, dot segments), which fetch and node:http would normalise or refuse before sending.

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent before closing (to spot a second, smuggled response). */
  raw: string;
}

/** Sends the bytes and reads until the server closes the connection. */
export function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => socket.end());
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

export interface RawRequest {
  method: string;
  target: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One request with `Connection: close`; the Host header is the URL's unless given. */
export async function rawRequest(url: string, request: RawRequest): Promise<RawResponse> {
  const headers: Record<string, string> = { host: new URL(url).host, connection: 'close', ...request.headers };
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  const raw = await rawExchange(url, `${request.method} ${request.target} HTTP/1.1\r\n${head}\r\n${request.body ?? ''}`);
  return parseResponse(raw);
}

export function parseResponse(raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = raw.slice(0, split === -1 ? raw.length : split).split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  let body = split === -1 ? '' : raw.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = Buffer.from(body).subarray(0, Number(headers['content-length'])).toString('utf8');
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body, raw };
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!(size > 0)) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

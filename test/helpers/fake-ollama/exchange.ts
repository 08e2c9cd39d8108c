// One request/response pair plus the writers every route uses. Writers go quiet once the client
// has gone, the way Ollama stops generating when its request context is cancelled.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly rawBody: Buffer;
  /** Parsed JSON, or the raw text when the body is not JSON ('' when empty). */
  readonly body: unknown;
  readonly isJson: boolean;
  /** Resolves when the connection closes (client abort, response end or server shutdown). */
  readonly closed: Promise<void>;
  isClosed(): boolean;
  /** Drops the connection without a proper response (simulates a crash or reset). */
  destroy(): void;
}

export interface ExchangeHooks {
  /** Called once when the client went away before the response was complete. */
  onClientAbort(): void;
}

function parseBody(raw: Buffer): { body: unknown; isJson: boolean } {
  const text = raw.toString('utf8');
  if (text.trim() === '') return { body: text, isJson: false };
  try {
    return { body: JSON.parse(text) as unknown, isJson: true };
  } catch {
    return { body: text, isJson: false };
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of req) chunks.push(chunk as Buffer);
  } catch {
    // The client aborted mid-body; the close handler has already counted it.
  }
  return Buffer.concat(chunks);
}

export async function openExchange(req: IncomingMessage, res: ServerResponse, hooks: ExchangeHooks): Promise<Exchange> {
  let isClosed = false;
  let destroyedByServer = false;
  const closed = new Promise<void>((resolve) => {
    res.once('close', () => {
      isClosed = true;
      if (!res.writableFinished && !destroyedByServer) hooks.onClientAbort();
      resolve();
    });
  });
  const url = new URL(req.url ?? '/', 'http://fake-ollama');
  const rawBody = await readBody(req);
  return {
    req,
    res,
    method: req.method ?? 'GET',
    path: url.pathname,
    rawBody,
    ...parseBody(rawBody),
    closed,
    isClosed: () => isClosed || res.destroyed,
    destroy() {
      destroyedByServer = true;
      res.socket?.destroy();
    },
  };
}

export function sendRaw(ex: Exchange, status: number, body: string, headers: Record<string, string>): void {
  if (ex.isClosed() || ex.res.headersSent) return;
  ex.res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  ex.res.end(body);
}

export function sendJson(ex: Exchange, status: number, body: unknown): void {
  sendRaw(ex, status, JSON.stringify(body), { 'Content-Type': 'application/json; charset=utf-8' });
}

/** Ollama's native error body: `{"error":"..."}`. */
export function sendError(ex: Exchange, status: number, message: string): void {
  sendJson(ex, status, { error: message });
}

export function sendText(ex: Exchange, status: number, text: string): void {
  sendRaw(ex, status, text, { 'Content-Type': 'text/plain; charset=utf-8' });
}

/** Waits ms, or less if the client goes away first. */
export function pause(ex: Exchange, ms: number): Promise<void> {
  if (ms <= 0 || ex.isClosed()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void ex.closed.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface StreamOptions {
  contentType: string;
  delayMs?: number;
  status?: number;
}

/** Writes chunks with a pause between them; stops as soon as the client is gone. */
export async function sendStream(ex: Exchange, chunks: readonly string[], opts: StreamOptions): Promise<void> {
  if (ex.isClosed()) return;
  ex.res.writeHead(opts.status ?? 200, { 'Content-Type': opts.contentType });
  ex.res.flushHeaders();
  for (const [i, chunk] of chunks.entries()) {
    if (i > 0) await pause(ex, opts.delayMs ?? 0);
    if (ex.isClosed()) return;
    ex.res.write(chunk);
  }
  ex.res.end();
}

/** Objects become one JSON line each; strings are taken as already-encoded lines (fixtures). */
export function toNdjson(line: unknown): string {
  if (typeof line === 'string') return line.endsWith('\n') ? line : `${line}\n`;
  return `${JSON.stringify(line)}\n`;
}

export function sendNdjson(ex: Exchange, lines: readonly unknown[], delayMs = 0, status = 200): Promise<void> {
  // An empty string (e.g. the tail of a fixture split on '\n') is not a line.
  const encoded = lines.filter((line) => line !== '').map(toNdjson);
  return sendStream(ex, encoded, { contentType: 'application/x-ndjson', delayMs, status });
}

/** The JSON object body a native route expects, or undefined after answering 400 as Ollama does. */
export function decodeObject(ex: Exchange, goType: string): Record<string, unknown> | undefined {
  const text = ex.rawBody.toString('utf8').trim();
  if (text === '') {
    sendError(ex, 400, 'missing request body');
    return undefined;
  }
  if (!ex.isJson) {
    const first = text[0] ?? '';
    const known = '{["-0123456789tfn'.includes(first);
    sendError(ex, 400, known ? 'unexpected EOF' : `invalid character '${first}' looking for beginning of value`);
    return undefined;
  }
  if (typeof ex.body !== 'object' || ex.body === null || Array.isArray(ex.body)) {
    const kind = Array.isArray(ex.body) ? 'array' : typeof ex.body;
    sendError(ex, 400, `json: cannot unmarshal ${kind} into Go value of type ${goType}`);
    return undefined;
  }
  return ex.body as Record<string, unknown>;
}

// Scripted replies: what a test queues with fake.script(route, ...replies) to override the
// default behaviour for exactly one request each.
import { pause, sendError, sendJson, sendNdjson, sendRaw, toNdjson, type Exchange } from './exchange.js';

export type Reply =
  | { kind: 'json'; status?: number; body: unknown; delayMs?: number }
  /** Lines may be objects or already-encoded JSON text (e.g. from a fixture file). */
  /** firstDelayMs holds back the headers too, as Ollama does while it loads a model. */
  | { kind: 'ndjson'; lines: readonly unknown[]; delayMs?: number; status?: number; firstDelayMs?: number }
  | { kind: 'error'; status: number; message: string; delayMs?: number }
  /** Accepts the request and never answers; settles when the client aborts or the fake closes. */
  | { kind: 'hang' }
  /** HTTP 200, the lines, then `{"error":message}` and the end of the stream (no done line). */
  | { kind: 'midstream-error'; lines: readonly unknown[]; message: string; delayMs?: number }
  | { kind: 'raw'; status: number; body: string; headers?: Record<string, string> }
  /** Writes the lines (if any) and then drops the connection: a crashed or unreachable server. */
  | { kind: 'reset'; lines?: readonly unknown[] };

export const replyJson = (body: unknown, opts: { status?: number; delayMs?: number } = {}): Reply => ({
  kind: 'json',
  body,
  ...opts,
});
export const replyNdjson = (lines: readonly unknown[], opts: { delayMs?: number; status?: number } = {}): Reply => ({
  kind: 'ndjson',
  lines,
  ...opts,
});
export const replyError = (status: number, message: string): Reply => ({ kind: 'error', status, message });
export const hang = (): Reply => ({ kind: 'hang' });

async function writeReset(ex: Exchange, lines: readonly unknown[]): Promise<void> {
  if (lines.length > 0) {
    ex.res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    for (const line of lines) ex.res.write(toNdjson(line));
    // Let the lines reach the client before the connection drops.
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
  }
  ex.destroy();
}

export async function writeReply(ex: Exchange, reply: Reply): Promise<void> {
  switch (reply.kind) {
    case 'json':
      await pause(ex, reply.delayMs ?? 0);
      return sendJson(ex, reply.status ?? 200, reply.body);
    case 'ndjson':
      await pause(ex, reply.firstDelayMs ?? 0);
      return sendNdjson(ex, reply.lines, reply.delayMs ?? 0, reply.status ?? 200);
    case 'error':
      await pause(ex, reply.delayMs ?? 0);
      return sendError(ex, reply.status, reply.message);
    case 'hang':
      return ex.closed;
    case 'midstream-error':
      return sendNdjson(ex, [...reply.lines, { error: reply.message }], reply.delayMs ?? 0);
    case 'raw':
      return sendRaw(ex, reply.status, reply.body, reply.headers ?? {});
    case 'reset':
      return writeReset(ex, reply.lines ?? []);
  }
}

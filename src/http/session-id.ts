import type { IncomingMessage } from 'node:http';

/** The `X-Session-Id` header: the conversation whose memory a chat call uses (pipeline/session-memory). */
export function sessionIdOf(req: IncomingMessage): string | undefined {
  const value = req.headers['x-session-id'];
  return typeof value === 'string' ? value : undefined;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestLocals } from './locals.js';

// What middleware and routes need of a request and a response: Node's own objects plus the parsed body and
// res.locals. Express' Request/Response satisfy these, so one handler serves both the Express router and the
// hot-route dispatcher (request-listener.ts), which runs handlers on plain Node objects.

export interface HttpRequest extends IncomingMessage {
  /** Set by the JSON body middleware. */
  body?: unknown;
}

export interface HttpResponse extends ServerResponse {
  locals: Partial<RequestLocals>;
}

export type Next = (error?: unknown) => void;

export type Handler = (req: HttpRequest, res: HttpResponse, next: Next) => void | Promise<void>;

export type ErrorHandler = (error: unknown, req: HttpRequest, res: HttpResponse, next: Next) => void;

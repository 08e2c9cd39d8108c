import { UpstreamError, type ProxyError } from './errors.js';

/**
 * How one inbound protocol puts a stream of events on the wire: the frames each event becomes, what closes a
 * complete stream, what a failure after the 200 becomes, and its keep-alive. Pure (no response, no clock):
 * `http/write-stream.ts` owns the socket, headers, batching, backpressure, heartbeat timing and cancellation.
 */
export interface StreamEncoder<E> {
  /** `sse`: text/event-stream; `ndjson`: application/x-ndjson, one JSON object a line. */
  readonly format: 'sse' | 'ndjson';
  /** Written after a whole heartbeat interval without a frame (a `: ping` comment, Anthropic's `ping` event); '' for none. */
  readonly heartbeat: string;
  /** The frames `event` becomes, as wire text ('' when it makes none). */
  encode(event: E): string;
  /** True once the answer is complete: the writer reads no more events (and closes their source). */
  readonly isComplete: boolean;
  /**
   * Called once when the answer is complete or the events ended: the text that closes the stream (OpenAI's
   * `data: [DONE]`, '' for protocols without one). Throws when ending here is an error (the upstream broke off).
   */
  end(): string;
  /** The last frame of a stream that fails after its 200 went out (upstream failure, shutdown). */
  errorFrame(error: ProxyError): string;
}

/** OpenAI's end of a stream (chat, text completions, and our own JSON progress streams). */
export const SSE_DONE = 'data: [DONE]\n\n';

/** The SSE keep-alive every client ignores: a comment line. */
export const SSE_PING = ': ping\n\n';

/** What an encoder's `end()` does first: events that stopped before their finish mean the upstream broke off. */
export function assertStreamFinished(isComplete: boolean): void {
  if (!isComplete) throw new UpstreamError('The model stream ended before the response was complete.');
}

/**
 * `frames` with `prefix` written once before the first event's frames (a role chunk, an echoed prompt, Anthropic's
 * `message_start`): the frame an encoder owes before anything else, sent with the first event so that a stream
 * that fails before its first event gets only its error frame.
 */
export function prefixOnce<E>(prefix: string, frames: (event: E) => string): (event: E) => string {
  let pending = prefix;
  return (event) => {
    if (pending === '') return frames(event);
    const first = pending;
    pending = '';
    return first + frames(event);
  };
}

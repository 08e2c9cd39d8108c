import { ProxyError } from '../core/errors.js';

// Streams still open when SHUTDOWN_GRACE_MS ends. Each is ended with its protocol's error frame
// (`server_shutting_down`) before the connections are closed, so a client can tell a cut from an answer.
// A stream registers how to interrupt itself: writeStream aborts its request with the shutdown error, which
// travels the same path as an upstream failure (the writer rethrows, the error handler writes the final frame
// of the stream's encoder); the native passthrough writes Ollama's `{"error"}` line itself.

export interface OpenStreams {
  /** Registers an open stream; the returned function forgets it (call it when the response closes). */
  track(interrupt: (error: ProxyError) => void): () => void;
  /** Interrupts every open stream with the shutdown error; resolves when their responses have ended or after `waitMs`. */
  interruptAll(waitMs?: number): Promise<void>;
  readonly size: number;
}

export function shuttingDownError(): ProxyError {
  return new ProxyError('server_shutting_down', 'The server is shutting down; the stream was ended before it finished. Retry the request.', {
    headers: { 'retry-after': '1' },
  });
}

export function createOpenStreams(): OpenStreams {
  const open = new Map<number, { interrupt: (error: ProxyError) => void; ended: Promise<void>; end: () => void }>();
  let nextId = 0;
  return {
    track(interrupt) {
      const id = nextId++;
      let end!: () => void;
      const ended = new Promise<void>((resolve) => (end = resolve));
      open.set(id, { interrupt, ended, end });
      return () => {
        open.get(id)?.end();
        open.delete(id);
      };
    },
    async interruptAll(waitMs = 1_000) {
      const streams = [...open.values()];
      for (const stream of streams) {
        try {
          stream.interrupt(shuttingDownError());
        } catch {
          stream.end();
        }
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
      await Promise.race([Promise.all(streams.map((stream) => stream.ended)), timeout]);
      clearTimeout(timer);
    },
    get size() {
      return open.size;
    },
  };
}

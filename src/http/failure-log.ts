import type { Logger } from '../core/logger.js';
import type { ProxyError } from '../core/errors.js';

// How failed requests reach the log. An outage (Redis away in fail-closed mode, Ollama down) fails every
// request the same way; a line with a stack for each wrote 63 MB in 45 s. So: a classified failure (any
// catalog error but internal_error) is one warn line without a stack, and repeats of the same cause within
// a window are counted and reported once when it ends ("… repeated N times in the last 10s"). Unexpected
// errors (internal_error) keep the error level and their stack: those are bugs someone must read.
// Client errors (4xx) are not logged here: the access line carries their status and code.

export interface FailureLogOptions {
  /** Length of the window in which repeats of one cause are counted instead of logged. Default 10 s. */
  windowMs?: number;
  now?: () => number;
  /** Distinct causes tracked at once; beyond it the oldest is reported and forgotten. Default 100. */
  maxCauses?: number;
}

interface Cause {
  code: string;
  message: string;
  logger: Logger;
  since: number;
  repeats: number;
  timer: NodeJS.Timeout | undefined;
}

export interface FailureLog {
  /** Logs (or counts) a failed request's error; `error` is what was thrown, `proxyError` its catalog form. */
  report(logger: Logger, error: unknown, proxyError: ProxyError): void;
}

export function createFailureLog(options: FailureLogOptions = {}): FailureLog {
  const windowMs = options.windowMs ?? 10_000;
  const now = options.now ?? Date.now;
  const maxCauses = options.maxCauses ?? 100;
  const causes = new Map<string, Cause>();

  const flush = (key: string, cause: Cause) => {
    if (cause.timer) clearTimeout(cause.timer);
    causes.delete(key);
    if (cause.repeats === 0) return;
    const seconds = Math.max(1, Math.round((now() - cause.since) / 1000));
    cause.logger.warn(`${cause.message} (repeated ${cause.repeats} times in the last ${seconds}s)`, { code: cause.code, repeated: cause.repeats });
  };

  return {
    report(logger, error, proxyError) {
      if (proxyError.status < 500) return;
      if (proxyError.kind === 'internal_error') return logger.error('request failed', { code: proxyError.code, error: describe(error) });
      const key = `${proxyError.code}\u0000${proxyError.message}`;
      const known = causes.get(key);
      if (known) {
        known.repeats++;
        known.logger = logger;
        known.timer ??= setTimeout(() => flush(key, known), Math.max(0, known.since + windowMs - now())).unref();
        return;
      }
      if (causes.size >= maxCauses) {
        const [oldestKey, oldest] = causes.entries().next().value as [string, Cause];
        flush(oldestKey, oldest);
      }
      causes.set(key, { code: proxyError.code, message: proxyError.message, logger, since: now(), repeats: 0, timer: undefined });
      logger.warn(proxyError.message, { code: proxyError.code, ...causeOf(error) });
    },
  };
}

/** The cause's name and message, never its stack: expected failures need no trace. */
function causeOf(error: unknown): { cause?: string } {
  const cause = error instanceof Error ? error.cause : undefined;
  if (!(cause instanceof Error)) return {};
  return { cause: `${cause.name}: ${cause.message}` };
}

function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  const cause = error.cause instanceof Error ? { name: error.cause.name, message: error.cause.message } : undefined;
  return { name: error.name, message: error.message, stack: error.stack, cause };
}

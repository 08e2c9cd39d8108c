import winston from 'winston';
import type { Logger } from '../core/logger.js';

export interface LoggerOptions {
  level: string;
  format: 'json' | 'pretty';
  /** Where lines go; tests pass a stream they can read. Defaults to stdout. */
  stream?: NodeJS.WritableStream;
  /** Secrets that must never appear in a log line, whatever field they hide in. */
  secrets?: () => Iterable<string>;
  /** Extra masking for every string in a line (e.g. the PII redaction plugin's redactor). */
  redact?: (text: string) => string;
}

export interface ControllableLogger extends Logger {
  setLevel(level: string): void;
  getLevel(): string;
  /** Writes the lines still waiting for the end of the event-loop turn (before writing to stdout directly). */
  flush(): void;
}

const SECRET_FIELDS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'apikey', 'api_key', 'secret', 'token', 'password', 'masterkey']);
// Bearer tokens, our sk- keys and JWTs, wherever they appear inside a message or value.
const SECRET_PATTERN = /\b(sk-[A-Za-z0-9_-]{16,}|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g;

type Redact = (text: string) => string;
const keepText: Redact = (text) => text;

/** Deeper structures (or cycles) are cut here: a log line never needs them, and a cycle must not crash it. */
const MAX_LOG_DEPTH = 12;

function redactValue(value: unknown, secrets: readonly string[], redact: Redact, depth = 0): unknown {
  if (typeof value === 'string') {
    let text = value.replace(SECRET_PATTERN, '[REDACTED]');
    for (const secret of secrets) if (secret && text.includes(secret)) text = text.split(secret).join('[REDACTED]');
    return redact(text);
  }
  if (depth >= MAX_LOG_DEPTH && value !== null && typeof value === 'object') return '[Truncated]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, redact, depth + 1));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = SECRET_FIELDS.has(key.toLowerCase()) ? '[REDACTED]' : redactValue(child, secrets, redact, depth + 1);
    }
    return out;
  }
  return value;
}

/** Redaction is a winston format so it covers every line, including those of child loggers. */
function redaction(secrets: () => Iterable<string>, redact: Redact): winston.Logform.Format {
  return winston.format((info) => {
    const known = [...secrets()];
    for (const key of Object.keys(info)) {
      if (key === 'level') continue;
      info[key] = SECRET_FIELDS.has(key.toLowerCase()) ? '[REDACTED]' : redactValue(info[key], known, redact);
    }
    return info;
  })();
}

const LEVELS = winston.config.npm.levels;
const MESSAGE = Symbol.for('message');
const LEVEL = Symbol.for('level');

type Level = 'error' | 'warn' | 'info' | 'debug';

/**
 * Lines are built by winston's formats (redaction, timestamp, JSON or colourised text) and written straight to
 * the destination, the lines of one event-loop turn in one write (lineBatcher). winston's Logger object is not used: it pipes every call, even one below
 * the level, through a Transform stream into its transports, which cost the access line about three times its
 * formatting. Levels are checked before anything is built.
 */
export function createLogger(options: LoggerOptions): ControllableLogger {
  const destination = options.stream ?? process.stdout;
  const redact = redaction(options.secrets ?? (() => []), options.redact ?? keepText);
  // Colour codes only where a terminal shows them: a file or pipe gets the same lines without escapes.
  const colours = (destination as { isTTY?: boolean }).isTTY === true;
  const format =
    options.format === 'pretty'
      ? colours
        ? winston.format.combine(redact, winston.format.colorize(), winston.format.simple())
        : winston.format.combine(redact, winston.format.simple())
      : winston.format.combine(redact, timestamp(), jsonLine());
  const out = lineBatcher(destination);
  const sink: LineSink = {
    level: options.level,
    threshold: levelValue(options.level),
    flush: () => out.flush(),
    write(lineLevel, message, base, meta) {
      if (LEVELS[lineLevel]! > this.threshold) return;
      // Object.assign, not an object literal with two spreads and a symbol key: V8 builds that one ~10× slower.
      const info: winston.Logform.TransformableInfo = Object.assign({}, base, meta, { level: lineLevel, message, [LEVEL]: lineLevel });
      const line = format.transform(info, format.options);
      if (line) out.push(`${String((line as Record<symbol, unknown>)[MESSAGE])}\n`);
    },
  };
  return new RootLogger(sink);
}

type Meta = Record<string, unknown> | undefined;

interface LineSink {
  level: string;
  threshold: number;
  flush(): void;
  write(level: Level, message: string, base: Meta, meta: Meta): void;
}

/** A logger with fixed fields (a request's child logger): one small object per request, methods on the prototype. */
class BoundLogger implements Logger {
  constructor(
    protected readonly sink: LineSink,
    private readonly base: Meta,
  ) {}

  error(message: string, meta?: Record<string, unknown>): void {
    this.sink.write('error', message, this.base, meta);
  }

  warn(message: string, meta?: Record<string, unknown>): void {
    this.sink.write('warn', message, this.base, meta);
  }

  info(message: string, meta?: Record<string, unknown>): void {
    this.sink.write('info', message, this.base, meta);
  }

  debug(message: string, meta?: Record<string, unknown>): void {
    this.sink.write('debug', message, this.base, meta);
  }

  child(meta: Record<string, unknown>): Logger {
    return new BoundLogger(this.sink, this.base ? Object.assign({}, this.base, meta) : meta);
  }

  isDebugEnabled(): boolean {
    return this.sink.threshold >= LEVELS.debug!;
  }
}

class RootLogger extends BoundLogger implements ControllableLogger {
  constructor(sink: LineSink) {
    super(sink, undefined);
  }

  setLevel(level: string): void {
    this.sink.threshold = levelValue(level);
    this.sink.level = level;
  }

  getLevel(): string {
    return this.sink.level;
  }

  flush(): void {
    this.sink.flush();
  }
}

/** winston's timestamp format (ISO 8601), the text reused while the millisecond is the same. */
function timestamp(): winston.Logform.Format {
  let lastMs = 0;
  let lastText = '';
  return winston.format((info) => {
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastText = new Date(ms).toISOString();
    }
    info.timestamp = lastText;
    return info;
  })();
}

/**
 * winston's json format, with JSON.stringify tried first: a log line is a flat object of strings and numbers,
 * which the native encoder writes several times faster than safe-stable-stringify. Anything JSON.stringify
 * refuses (a cycle, a BigInt) falls back to winston's format.
 */
function jsonLine(): winston.Logform.Format {
  const fallback = winston.format.json();
  return winston.format((info) => {
    try {
      (info as Record<symbol, unknown>)[MESSAGE] = JSON.stringify(info);
      return info;
    } catch {
      return fallback.transform(info, fallback.options);
    }
  })();
}

/** Loggers holding lines not yet written; the process writes them out when it exits, whatever the reason. */
const unflushed = new Set<() => void>();
process.on('exit', () => {
  for (const flush of unflushed) flush();
});

/**
 * Lines of one event-loop turn leave in one write. stdout redirected to a file or a pipe is written
 * synchronously by Node, so a write per line was a system call per request on the hot path.
 */
function lineBatcher(destination: NodeJS.WritableStream): { push(line: string): void; flush(): void } {
  let pending = '';
  const flush = () => {
    unflushed.delete(flush);
    if (pending === '') return;
    const text = pending;
    pending = '';
    destination.write(text);
  };
  return {
    push(line) {
      if (pending === '') {
        unflushed.add(flush);
        setImmediate(flush);
      }
      pending += line;
      if (pending.length >= 65_536) flush();
    },
    flush,
  };
}

function levelValue(level: string): number {
  const value = LEVELS[level];
  if (value === undefined) throw new Error(`Unknown log level '${level}'. Use one of: ${Object.keys(LEVELS).join(', ')}.`);
  return value;
}

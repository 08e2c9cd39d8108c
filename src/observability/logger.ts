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
}

const SECRET_FIELDS = new Set(['authorization', 'x-api-key', 'apikey', 'api_key', 'secret', 'token', 'password', 'masterkey']);
// Bearer tokens, our sk- keys and JWTs, wherever they appear inside a message or value.
const SECRET_PATTERN = /\b(sk-[A-Za-z0-9_-]{16,}|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g;

type Redact = (text: string) => string;
const keepText: Redact = (text) => text;

function redactValue(value: unknown, secrets: readonly string[], redact: Redact): unknown {
  if (typeof value === 'string') {
    let text = value.replace(SECRET_PATTERN, '[REDACTED]');
    for (const secret of secrets) if (secret && text.includes(secret)) text = text.split(secret).join('[REDACTED]');
    return redact(text);
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, redact));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = SECRET_FIELDS.has(key.toLowerCase()) ? '[REDACTED]' : redactValue(child, secrets, redact);
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

export function createLogger(options: LoggerOptions): ControllableLogger {
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console();
  const redact = redaction(options.secrets ?? (() => []), options.redact ?? keepText);
  const format =
    options.format === 'pretty'
      ? winston.format.combine(redact, winston.format.colorize(), winston.format.simple())
      : winston.format.combine(redact, winston.format.timestamp(), winston.format.json());
  const root = winston.createLogger({ level: options.level, format, transports: [transport] });
  const logger = adapt(root, root) as ControllableLogger;
  logger.setLevel = (level) => {
    root.level = level;
    for (const t of root.transports) t.level = level;
  };
  logger.getLevel = () => root.level;
  return logger;
}

function adapt(target: winston.Logger, root: winston.Logger): Logger {
  return {
    error: (message, meta) => void target.error(message, meta),
    warn: (message, meta) => void target.warn(message, meta),
    info: (message, meta) => void target.info(message, meta),
    debug: (message, meta) => void target.debug(message, meta),
    child: (meta) => adapt(target.child(meta), root),
    isDebugEnabled: () => root.isDebugEnabled(),
  };
}

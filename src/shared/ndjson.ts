// Newline-delimited JSON decoder for upstream streams (Ollama's native API).
//
// Lines are split on the 0x0A byte before decoding. UTF-8 never uses 0x0A inside a multi-byte sequence, so
// every complete line is whole UTF-8 and a character split across chunks cannot be cut: this gives the same
// result as a streaming TextDecoder, and it lets the line cap count real bytes. The common case (one or
// more whole lines per chunk) decodes subarray views without copying; only a line spread over several
// chunks is joined.

export interface NdjsonOptions {
  /** Longest accepted line in bytes, newline excluded. Protects memory against an endless line. */
  maxLineBytes?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** Most values handed on in one batch. */
const MAX_BATCH = 64;
/** Returned for blank lines; a sentinel instead of a wrapper object keeps the per-line path allocation-free. */
const BLANK: unique symbol = Symbol('blank');

/** A line that is not JSON, or is longer than the cap. Callers map it to their own protocol error. */
export class NdjsonDecodeError extends Error {
  readonly lineNumber: number;

  constructor(message: string, lineNumber: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'NdjsonDecodeError';
    this.lineNumber = lineNumber;
  }
}

/** Yields one parsed value per non-blank line; throws NdjsonDecodeError on the first bad line. */
export async function* decodeNdjson(body: AsyncIterable<Uint8Array>, options: NdjsonOptions = {}): AsyncGenerator<unknown> {
  for await (const values of decodeNdjsonBatches(body, options)) yield* values;
}

/**
 * The same values in batches: the lines one network read completed, handed on in batches of 1, 2, 4… up to
 * 64 lines, so a hot consumer (token streams) pays one async step per batch instead of one per line, and the
 * first line still leaves at once. Batches are never empty.
 */
export async function* decodeNdjsonBatches(
  body: AsyncIterable<Uint8Array>,
  options: NdjsonOptions = {},
): AsyncGenerator<unknown[]> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const decoder = new TextDecoder();
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let lineNumber = 0;
  let batchLimit = 1;

  const parse = (bytes: Uint8Array): unknown => {
    lineNumber++;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length;
    if (end > maxLineBytes) throw tooLong(lineNumber, maxLineBytes);
    if (end === 0) return BLANK;
    return parseLine(decoder.decode(bytes.subarray(0, end)), lineNumber);
  };

  for await (const chunk of body) {
    let batch: unknown[] = [];
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    while (newline !== -1) {
      let line = chunk.subarray(start, newline);
      if (pendingBytes > 0) {
        line = concat(pending, pendingBytes, line);
        pending.length = 0;
        pendingBytes = 0;
      }
      let value: unknown;
      try {
        value = parse(line);
      } catch (error) {
        // The good lines before a bad one still reach the consumer, as they would line by line.
        if (batch.length > 0) yield batch;
        throw error;
      }
      if (value !== BLANK && batch.push(value) >= batchLimit) {
        // A read that holds many lines is handed on in growing batches: the first line at once (time to
        // first token), then up to MAX_BATCH lines per step.
        yield batch;
        batch = [];
        batchLimit = Math.min(batchLimit * 2, MAX_BATCH);
      }
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      // Copy: the producer may reuse the chunk's buffer once we ask for the next one.
      pending.push(chunk.slice(start));
      pendingBytes += chunk.length - start;
      // +1 leaves room for a trailing \r that is not part of the line.
      if (pendingBytes > maxLineBytes + 1) {
        if (batch.length > 0) yield batch;
        throw tooLong(lineNumber + 1, maxLineBytes);
      }
    }
    if (batch.length > 0) yield batch;
  }
  if (pendingBytes > 0) {
    const value = parse(concat(pending, pendingBytes, new Uint8Array(0)));
    if (value !== BLANK) yield [value];
  }
}

function parseLine(text: string, lineNumber: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // Whitespace-only lines are blank lines; checked only here to keep the common path free of trim().
    if (text.trim() === '') return BLANK;
    const preview = text.length > 120 ? `${text.slice(0, 120)}…` : text;
    throw new NdjsonDecodeError(`Invalid JSON on NDJSON line ${lineNumber}: ${preview}`, lineNumber, error);
  }
}

function concat(parts: Uint8Array[], partsBytes: number, last: Uint8Array): Uint8Array {
  const joined = new Uint8Array(partsBytes + last.length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  joined.set(last, offset);
  return joined;
}

function tooLong(lineNumber: number, maxLineBytes: number): NdjsonDecodeError {
  return new NdjsonDecodeError(`NDJSON line ${lineNumber} is longer than ${maxLineBytes} bytes`, lineNumber);
}

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeNdjson, NdjsonDecodeError } from '../../../src/shared/ndjson.js';

const fixtureDir = fileURLToPath(new URL('../../fixtures/ollama/', import.meta.url));
const fixtures = readdirSync(fixtureDir).filter((name) => name.endsWith('.ndjson'));
const encoder = new TextEncoder();

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

async function decodeAll(body: AsyncIterable<Uint8Array>, maxLineBytes?: number): Promise<unknown[]> {
  const values: unknown[] = [];
  const options = maxLineBytes === undefined ? {} : { maxLineBytes };
  for await (const value of decodeNdjson(body, options)) values.push(value);
  return values;
}

function expectedValues(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

describe('decodeNdjson', () => {
  it.each(fixtures)('decodes %s identically when split at every byte offset', async (name) => {
    const bytes = readFileSync(fixtureDir + name);
    const expected = expectedValues(bytes.toString('utf8'));
    expect(expected.length).toBeGreaterThan(1);
    for (let offset = 0; offset <= bytes.length; offset++) {
      const values = await decodeAll(chunks(bytes.subarray(0, offset), bytes.subarray(offset)));
      expect(values, `split at byte ${offset}`).toEqual(expected);
    }
  });

  it.each(fixtures)('decodes %s fed one byte at a time', async (name) => {
    const bytes = readFileSync(fixtureDir + name);
    const single = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(await decodeAll(chunks(...single))).toEqual(expectedValues(bytes.toString('utf8')));
  });

  it('keeps a multi-byte character split across three chunks intact', async () => {
    const bytes = encoder.encode('{"t":"a🙂b"}\n');
    const emoji = bytes.indexOf(0xf0);
    const parts = [bytes.subarray(0, emoji + 1), bytes.subarray(emoji + 1, emoji + 3), bytes.subarray(emoji + 3)];
    expect(await decodeAll(chunks(...parts))).toEqual([{ t: 'a🙂b' }]);
  });

  it('accepts CRLF line endings', async () => {
    const body = encoder.encode('{"a":1}\r\n{"a":2}\r\n');
    expect(await decodeAll(chunks(body.subarray(0, 8), body.subarray(8)))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('skips blank and whitespace-only lines', async () => {
    const body = encoder.encode('\n{"a":1}\n\n  \r\n{"a":2}\n\n');
    expect(await decodeAll(chunks(body))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('decodes a final line that has no newline', async () => {
    expect(await decodeAll(chunks(encoder.encode('{"a":1}\n{"a"'), encoder.encode(':2}')))).toEqual([
      { a: 1 },
      { a: 2 },
    ]);
  });

  it('yields nothing for an empty body', async () => {
    expect(await decodeAll(chunks())).toEqual([]);
  });

  it('throws NdjsonDecodeError with the line number on invalid JSON, after yielding earlier lines', async () => {
    const seen: unknown[] = [];
    const run = async () => {
      for await (const value of decodeNdjson(chunks(encoder.encode('{"a":1}\n{"a":\n{"a":3}\n')))) seen.push(value);
    };
    await expect(run()).rejects.toMatchObject({ name: 'NdjsonDecodeError', lineNumber: 2 });
    expect(seen).toEqual([{ a: 1 }]);
  });

  it('throws on a truncated final line', async () => {
    await expect(decodeAll(chunks(encoder.encode('{"a":1}\n{"a":')))).rejects.toBeInstanceOf(NdjsonDecodeError);
  });

  it('refuses a complete line longer than maxLineBytes', async () => {
    const line = `{"t":"${'x'.repeat(100)}"}\n`;
    await expect(decodeAll(chunks(encoder.encode(line)), 50)).rejects.toThrow(/longer than 50 bytes/);
  });

  it('refuses an unterminated line as soon as it outgrows maxLineBytes', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        pulled++;
        yield encoder.encode('{"t":"xxxxxxxxxx');
      }
    }
    await expect(decodeAll(endless(), 100)).rejects.toThrow(/longer than 100 bytes/);
    expect(pulled).toBeLessThan(20);
  });

  it('counts the cap in bytes, not characters', async () => {
    const line = encoder.encode(`{"t":"${'é'.repeat(20)}"}\n`); // 48 bytes before the newline, 28 characters
    await expect(decodeAll(chunks(line), 40)).rejects.toThrow(NdjsonDecodeError);
    expect(await decodeAll(chunks(line), 48)).toEqual([{ t: 'é'.repeat(20) }]);
  });
});

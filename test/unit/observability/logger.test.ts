import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LoggerOptions } from '../../../src/observability/logger.js';

function capture(options: Partial<LoggerOptions>): { lines: () => Record<string, unknown>[]; logger: ReturnType<typeof createLogger> } {
  const stream = new PassThrough();
  const text: string[] = [];
  stream.on('data', (chunk: Buffer) => text.push(chunk.toString('utf8')));
  const logger = createLogger({ level: 'debug', format: 'json', stream, ...options });
  const lines = () => text.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, logger };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createLogger redaction', () => {
  it('masks secrets and secret fields in every line', async () => {
    const { lines, logger } = capture({ secrets: () => ['hunter2-secret'] });
    logger.child({ requestId: 'r1' }).info('login with hunter2-secret', { authorization: 'Bearer x', note: 'key sk-abcdefghijklmnopqrstuvwx' });
    await flush();
    expect(lines()[0]).toMatchObject({ message: 'login with [REDACTED]', authorization: '[REDACTED]', note: 'key [REDACTED]', requestId: 'r1' });
  });

  it('runs the redact hook over the message and nested meta strings, leaving the level alone', async () => {
    const { lines, logger } = capture({ redact: (text) => text.replaceAll('jane@example.com', '[EMAIL]') });
    logger.debug('prompt from jane@example.com', { messages: [{ content: 'I am jane@example.com' }], count: 2 });
    await flush();
    expect(lines()[0]).toMatchObject({ level: 'debug', message: 'prompt from [EMAIL]', messages: [{ content: 'I am [EMAIL]' }], count: 2 });
  });

  it('writes a cyclic or BigInt meta value instead of throwing, cutting the cycle', async () => {
    const { lines, logger } = capture({});
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(() => logger.info('odd meta', { cyclic, big: 10n })).not.toThrow();
    await flush();
    const [line] = lines();
    expect(line).toMatchObject({ message: 'odd meta', big: '10', cyclic: { name: 'loop', self: { name: 'loop' } } });
    expect(JSON.stringify(line)).toContain('[Truncated]');
  });

  it('writes the lines of one event-loop turn together, in order, and only at or above the level', async () => {
    const { lines, logger } = capture({ level: 'info' });
    for (let index = 0; index < 5; index++) logger.info('line', { index });
    logger.debug('hidden');
    expect(lines()).toEqual([]);
    await flush();
    expect(lines().map((line) => line.index)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('createLogger pretty format', () => {
  const prettyLine = async (isTTY: boolean) => {
    const stream = Object.assign(new PassThrough(), isTTY ? { isTTY: true } : {});
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    createLogger({ level: 'info', format: 'pretty', stream }).warn('disk almost full', { freeMb: 12 });
    await flush();
    return text;
  };

  it('colours the level on a terminal', async () => {
    expect(await prettyLine(true)).toMatch(/^\x1b\[\d+mwarn\x1b\[\d+m: disk almost full/);
  });

  it('writes no colour codes into a file or pipe', async () => {
    expect(await prettyLine(false)).toBe('warn: disk almost full {"freeMb":12}\n');
  });
});

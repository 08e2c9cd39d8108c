import { describe, expect, it } from 'vitest';
import { deferStream } from '../../../src/core/defer-stream.js';

async function* numbers(log: string[]) {
  try {
    for (let i = 1; i <= 3; i++) yield i;
  } finally {
    log.push('inner closed');
  }
}

describe('deferStream', () => {
  it('runs the set-up once, on the first pull, then yields the inner stream unchanged', async () => {
    let starts = 0;
    const stream = deferStream(async () => {
      starts++;
      return numbers([]);
    });
    expect(starts).toBe(0);
    const seen: number[] = [];
    for await (const value of stream) seen.push(value);
    expect(seen).toEqual([1, 2, 3]);
    expect(starts).toBe(1);
  });

  it('rejects the first pull when the set-up fails', async () => {
    const stream = deferStream<number>(async () => {
      throw new Error('model not allowed');
    });
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toThrow('model not allowed');
  });

  it('closes the inner stream when the consumer stops early', async () => {
    const log: string[] = [];
    for await (const value of deferStream(async () => numbers(log))) if (value === 1) break;
    expect(log).toEqual(['inner closed']);
  });
});

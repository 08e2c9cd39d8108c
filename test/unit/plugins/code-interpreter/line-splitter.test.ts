import { describe, expect, it } from 'vitest';
import { createLineSplitter } from '../../../../src/plugins/code-interpreter/line-splitter.js';

describe('createLineSplitter', () => {
  it('emits whole lines across chunk boundaries, including split UTF-8', () => {
    const lines: string[] = [];
    const feed = createLineSplitter(100, (line) => lines.push(line), () => lines.push('OVERFLOW'));
    const bytes = Buffer.from('one\ntwo é\nthree\n', 'utf8');
    for (let offset = 0; offset < bytes.length; offset += 3) feed(bytes.subarray(offset, offset + 3));
    expect(lines).toEqual(['one', 'two é', 'three']);
  });

  it('reports an over-long line once and drops the rest', () => {
    const lines: string[] = [];
    let overflows = 0;
    const feed = createLineSplitter(4, (line) => lines.push(line), () => (overflows += 1));
    feed(Buffer.from('ok\n0123456789'));
    feed(Buffer.from('more\nlater\n'));
    expect(lines).toEqual(['ok']);
    expect(overflows).toBe(1);
  });
});

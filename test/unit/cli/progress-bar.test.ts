import { describe, expect, it } from 'vitest';
import { createProgressRenderer, formatProgressBar } from '../../../src/cli/progress-bar.js';

describe('formatProgressBar', () => {
  it('draws the share done, the percentage and the sizes', () => {
    expect(formatProgressBar('pulling 1a2b', 512 * 1024 ** 2, 1024 ** 3, 10)).toBe('[#####-----]  50%  512.0 MiB / 1.0 GiB  pulling 1a2b');
    expect(formatProgressBar('x', 0, 0, 4)).toBe('[----]   0%  0 B / 0 B  x');
  });
});

describe('createProgressRenderer', () => {
  it('redraws one bar in place per blob and prints other statuses on their own lines', () => {
    let out = '';
    const render = createProgressRenderer((text) => (out += text));
    render.step({ status: 'pulling manifest' });
    render.step({ status: 'pulling aaa', total: 100, completed: 0 });
    render.step({ status: 'pulling aaa', total: 100, completed: 0 });
    render.step({ status: 'pulling aaa', total: 100, completed: 100 });
    render.step({ status: 'pulling bbb', total: 10, completed: 10 });
    render.step({ status: 'success' });
    render.end();
    expect(out.split('\n')).toEqual([
      'pulling manifest',
      `\r${formatProgressBar('pulling aaa', 0, 100)}\r${formatProgressBar('pulling aaa', 100, 100)}`,
      `\r${formatProgressBar('pulling bbb', 10, 10)}`,
      'success',
      '',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth, jsonDepthPath } from '../../../src/shared/json-depth.js';

const nested = (levels: number, open = '{"a":', close = '}') => `${open.repeat(levels)}1${close.repeat(levels)}`;

describe('exceedsJsonDepth', () => {
  it('counts objects and arrays, and allows exactly the limit', () => {
    expect(exceedsJsonDepth(nested(3), 3)).toBe(false);
    expect(exceedsJsonDepth(nested(4), 3)).toBe(true);
    expect(exceedsJsonDepth(nested(4, '[', ']'), 3)).toBe(true);
    expect(exceedsJsonDepth('[{"a":[{}]}]', 4)).toBe(false);
    expect(exceedsJsonDepth('[{"a":[{}]}]', 3)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(exceedsJsonDepth(JSON.stringify({ a: '[[[[{{{{', b: 'say \\"[[[[\\" \\\\', c: '\\' }), 1)).toBe(false);
    expect(exceedsJsonDepth(JSON.stringify({ a: 'x\\"' + '{'.repeat(10) }), 1)).toBe(false);
  });

  it('is siblings-blind: many shallow members are fine', () => {
    expect(exceedsJsonDepth(JSON.stringify({ list: Array.from({ length: 1000 }, () => ({ a: [1] })) }), 4)).toBe(false);
  });

  it('never throws on malformed text', () => {
    for (const text of ['', '"', '{"a', ']]]]', '{"a":"\\', '[[[[']) expect(() => exceedsJsonDepth(text, 2)).not.toThrow();
    expect(exceedsJsonDepth('[[[[', 2)).toBe(true);
  });
});

describe('jsonDepthPath', () => {
  it("names the path of the first object or array that is one level too deep, in OpenAI's param notation", () => {
    const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }, { role: 'user', content: [{ a: { b: {} } }] }] });
    expect(exceedsJsonDepth(body, 4)).toBe(true);
    expect(jsonDepthPath(body, 4)).toBe('messages[1].content[0]');
    expect(jsonDepthPath(JSON.stringify({ options: { 'x"y': { z: [[1]] } } }), 4)).toBe('options.x"y.z[0]');
    expect(jsonDepthPath('[[[1]]]', 2)).toBe('[0][0]');
    expect(jsonDepthPath('{}', 0)).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/shared/canonical-json.js';

describe('canonicalJson', () => {
  it('encodes objects the same whatever their key order, at every depth', () => {
    const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } };
    const b = { a: { c: 'x', d: [1, { x: 1, y: 2 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","d":[1,{"x":1,"y":2}]},"b":1}');
  });

  it('keeps array order', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('leaves out undefined members as JSON.stringify does, and writes null for undefined array items', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson({ b: 1 })).toBe(canonicalJson({ b: 1, a: undefined }));
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });

  it('escapes strings and keys like JSON', () => {
    const value = { 'k"ey': 'line\nbreak "quoted" \u2028' };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });

  it('writes scalars, null and dates as JSON does', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(NaN)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
  });

  it('throws on cycles instead of looping', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cyclic/);
  });
});

// A stable JSON encoding for fingerprints: object keys sorted, `undefined` members left out (as
// JSON.stringify does), so two requests that differ only in key order or absent options encode the same.
// Built by string concatenation (one call per request on the cache path); cycles are caught by depth.

/** Deeper than any request body we accept (JSON parsers stop far earlier): only a cycle gets here. */
const MAX_DEPTH = 1_000;

/** JSON text of `value` with every object's keys in sorted order. Throws on cycles, like JSON.stringify. */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object') return scalar(value);
  if (value instanceof Date) return JSON.stringify(value);
  if (depth > MAX_DEPTH) throw new TypeError('canonicalJson: cyclic value (or nested deeper than 1000 levels)');
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index++) {
      if (index > 0) out += ',';
      const item: unknown = value[index];
      // JSON.stringify writes null for array holes, undefined and functions.
      out += item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : write(item, depth + 1);
    }
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  let out = '{';
  for (const key of Object.keys(object).sort()) {
    const member = object[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${write(member, depth + 1)}`;
  }
  return `${out}}`;
}

function scalar(value: unknown): string {
  if (typeof value === 'bigint') throw new TypeError('canonicalJson: BigInt is not JSON');
  // JSON.stringify maps NaN/Infinity to null and returns undefined for undefined at the top level.
  return JSON.stringify(value) ?? 'null';
}

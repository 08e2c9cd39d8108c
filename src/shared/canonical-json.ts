// A stable JSON encoding for fingerprints: object keys sorted, `undefined` members left out (as
// JSON.stringify does), so two requests that differ only in key order or absent options encode the same.

/** JSON text of `value` with every object's keys in sorted order. Throws on cycles, like JSON.stringify. */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, new Set());
  return parts.join('');
}

function write(value: unknown, parts: string[], seen: Set<object>): void {
  if (value === null || typeof value !== 'object') {
    parts.push(scalar(value));
    return;
  }
  if (value instanceof Date) {
    parts.push(JSON.stringify(value));
    return;
  }
  if (seen.has(value)) throw new TypeError('canonicalJson: cyclic value');
  seen.add(value);
  if (Array.isArray(value)) writeArray(value, parts, seen);
  else writeObject(value as Record<string, unknown>, parts, seen);
  seen.delete(value);
}

function writeArray(items: readonly unknown[], parts: string[], seen: Set<object>): void {
  parts.push('[');
  for (let index = 0; index < items.length; index++) {
    if (index > 0) parts.push(',');
    const item = items[index];
    // JSON.stringify writes null for array holes, undefined and functions.
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') parts.push('null');
    else write(item, parts, seen);
  }
  parts.push(']');
}

function writeObject(object: Record<string, unknown>, parts: string[], seen: Set<object>): void {
  parts.push('{');
  let first = true;
  for (const key of Object.keys(object).sort()) {
    const member = object[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    parts.push(first ? '' : ',', JSON.stringify(key), ':');
    first = false;
    write(member, parts, seen);
  }
  parts.push('}');
}

function scalar(value: unknown): string {
  if (typeof value === 'bigint') throw new TypeError('canonicalJson: BigInt is not JSON');
  // JSON.stringify maps NaN/Infinity to null and returns undefined for undefined at the top level.
  return JSON.stringify(value) ?? 'null';
}

import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

// Seeded generators of hostile request bodies for the fuzz suite: the same seed gives the same bodies, so a
// failure prints a seed and case number that reproduce it (FUZZ_SEED=<seed> FUZZ_COUNT=<n>).

export type Rng = () => number;

/** mulberry32: small, fast, good enough to pick mutations. */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

export interface FuzzCase {
  /** What was done, for the failure message. */
  label: string;
  body: Buffer;
  headers: Record<string, string>;
}

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

const deepText = (levels: number, open: string, close: string) => `${open.repeat(levels)}${close.repeat(levels)}`;

/** A JSON value as text; some are not JSON at all (NaN, Infinity), on purpose. */
function randomValueText(rng: Rng, depth = 0): string {
  const choice = Math.floor(rng() * 22);
  switch (choice) {
    case 0: return 'null';
    case 1: return pick(rng, ['true', 'false']);
    case 2: return pick(rng, ['0', '-0', '-1', '1e308', '1e999', '-1e999', '18446744073709551616', '0.1', '1.5e-320', '9007199254740993']);
    case 3: return pick(rng, ['NaN', 'Infinity', '-Infinity', 'undefined', '0x10', '01']);
    case 4: return JSON.stringify('');
    case 5: return JSON.stringify('x'.repeat(Math.floor(rng() * 200_000)));
    case 6: return JSON.stringify(pick(rng, ['\u0000', '\ud800', '\udfff\ud800', '😀'.repeat(50), '\u202e', 'line\nbreak', '"quoted"', '\\']));
    case 7: return deepText(Math.floor(rng() * 5000) + 60, '[', ']');
    case 8: return '[{"a":'.repeat(Math.floor(rng() * 3000) + 60); // deep and never closed
    case 9: {
      const levels = Math.floor(rng() * 200) + 60;
      return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    }
    case 10: return `{${PROTOTYPE_KEYS.map((key) => `${JSON.stringify(key)}:{"polluted":true,"isAdmin":true}`).join(',')}}`;
    case 11: return `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}`;
    case 12: return JSON.stringify(Array.from({ length: Math.floor(rng() * 5000) }, (_, i) => i));
    case 13: return JSON.stringify(Object.fromEntries(Array.from({ length: Math.floor(rng() * 2000) }, (_, i) => [`k${i}`, i])));
    case 14: return JSON.stringify([{ type: pick(rng, ['text', 'image_url', 'input_audio', 'file', 'bogus']), text: 1, image_url: pick(rng, [{ url: 'http://169.254.169.254/' }, { url: 'data:image/png;base64,!!!' }, 'x', null]) }]);
    case 15: return JSON.stringify({ type: 'function', function: { name: pick(rng, ['', 'a'.repeat(10_000), 'f']), parameters: pick(rng, [null, 'x', [], {}]), arguments: pick(rng, ['{', '[]', '"x"', '{}', '{"a":'.repeat(100)]) } });
    default: {
      if (depth > 3) return '1';
      const items = Array.from({ length: Math.floor(rng() * 4) }, () => randomValueText(rng, depth + 1));
      return rng() < 0.5 ? `[${items.join(',')}]` : `{${items.map((item, i) => `${JSON.stringify(pick(rng, [...PROTOTYPE_KEYS, `f${i}`, 'model', 'messages']))}:${item}`).join(',')}}`;
    }
  }
}

/** Replaces, removes or adds one member somewhere in the valid body, written as text (NaN and friends survive). */
function mutateMember(rng: Rng, valid: Record<string, unknown>): { label: string; text: string } {
  const keys = Object.keys(valid);
  const key = rng() < 0.8 && keys.length > 0 ? pick(rng, keys) : pick(rng, [...PROTOTYPE_KEYS, 'extra', 'stream', 'options', 'metadata', 'tools', 'response_format']);
  const replacement = randomValueText(rng);
  const rest = Object.entries(valid).filter(([name]) => name !== key).map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`);
  if (rng() < 0.1) return { label: `without ${key}`, text: `{${rest.join(',')}}` };
  return { label: `${key} = ${replacement.slice(0, 60)}`, text: `{${[...rest, `${JSON.stringify(key)}:${replacement}`].join(',')}}` };
}

/** Breaks the text itself: truncation, junk, duplicate keys, comments, invalid UTF-8. */
function mutateText(rng: Rng, text: string): { label: string; body: Buffer } {
  const at = Math.floor(rng() * text.length);
  switch (Math.floor(rng() * 8)) {
    case 0: return { label: `truncated at ${at}`, body: Buffer.from(text.slice(0, at)) };
    case 1: return { label: 'trailing comma', body: Buffer.from(text.replace(/}$/, ',}')) };
    case 2: return { label: 'comment', body: Buffer.from(`/* c */${text}`) };
    case 3: return { label: 'single quotes', body: Buffer.from(text.replaceAll('"', "'")) };
    case 4: return { label: 'duplicate keys', body: Buffer.from(text.replace(/^{/, '{"model":1,"model":{},')) };
    case 5: {
      const bytes = Buffer.from(text);
      const junk = pick(rng, [[0xff], [0xfe, 0xff], [0xc0, 0x80], [0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x00]]);
      return { label: `invalid UTF-8 ${junk.map((b) => b.toString(16)).join(' ')} at ${at}`, body: Buffer.concat([bytes.subarray(0, at), Buffer.from(junk), bytes.subarray(at)]) };
    }
    case 6: return { label: 'not JSON', body: Buffer.from(pick(rng, ['', ' ', 'null', '42', '"s"', '[]', '[{}]', 'model=x&messages=y', '<xml/>', '\uFEFF\uFEFF{}'])) };
    default: return { label: 'second document', body: Buffer.from(`${text}${text}`) };
  }
}

const CONTENT_TYPES = ['text/plain', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/JSON', 'application/json;;', 'application/*', '', 'application/merge-patch+json'];

/** Precomputed once: compressing a bomb per case would dominate the run. */
const BOMB = JSON.stringify({ model: 'm', pad: ' '.repeat(8 * 1024 * 1024) });
const BOMBS = { gzip: gzipSync(BOMB), br: brotliCompressSync(BOMB), deflate: deflateSync(BOMB) };

function encodingCase(rng: Rng, text: string): FuzzCase {
  const json = { 'content-type': 'application/json' };
  switch (Math.floor(rng() * 7)) {
    case 0: return { label: 'gzip', body: gzipSync(text), headers: { ...json, 'content-encoding': 'gzip' } };
    case 1: {
      const encoding = pick(rng, ['gzip', 'br', 'deflate'] as const);
      return { label: `${encoding} bomb`, body: BOMBS[encoding], headers: { ...json, 'content-encoding': encoding } };
    }
    case 2: {
      const bytes = gzipSync(text);
      return { label: 'truncated gzip', body: bytes.subarray(0, Math.max(1, Math.floor(rng() * bytes.length))), headers: { ...json, 'content-encoding': 'gzip' } };
    }
    case 3: return { label: 'plain text as gzip', body: Buffer.from(text), headers: { ...json, 'content-encoding': pick(rng, ['gzip', 'br', 'deflate']) } };
    case 4: return { label: 'unknown encoding', body: Buffer.from(text), headers: { ...json, 'content-encoding': pick(rng, ['zstd', 'compress', 'gzip, gzip', 'x-unknown', 'identity']) } };
    case 5: return { label: 'deflate', body: deflateSync(text), headers: { ...json, 'content-encoding': 'deflate' } };
    default: return { label: 'br', body: brotliCompressSync(text), headers: { ...json, 'content-encoding': 'br' } };
  }
}

/** One hostile variant of a route's valid body. */
export function fuzzCase(rng: Rng, valid: Record<string, unknown>): FuzzCase {
  const json = { 'content-type': 'application/json' };
  const roll = rng();
  if (roll < 0.5) {
    const { label, text } = mutateMember(rng, valid);
    return { label, body: Buffer.from(text), headers: json };
  }
  const text = JSON.stringify(valid);
  if (roll < 0.75) {
    const { label, body } = mutateText(rng, text);
    return { label, body, headers: json };
  }
  if (roll < 0.85) {
    const type = pick(rng, CONTENT_TYPES);
    return { label: `content-type ${JSON.stringify(type)}`, body: Buffer.from(text), headers: type === '' ? {} : { 'content-type': type } };
  }
  return encodingCase(rng, text);
}

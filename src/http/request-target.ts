import { posix } from 'node:path';
import { isOllamaNativePath } from '../access/scopes.js';
import { InvalidRequestError } from '../core/errors.js';

// The one normalisation of a request target (DESIGN.md 3.4). The request listener applies it once, before any
// routing, and replaces req.url with the result: the hot-route table, Express, every scope decision and the
// Ollama passthrough (which forwards req.url) then all see the same path. What cannot be normalised without
// guessing how the upstream would read it is refused with a 400.
//
// Rules: an absolute-form target (`POST http://host/api/pull`) becomes origin-form if its authority is the
// Host header (else refused); a fragment, a literal backslash, a malformed or NUL escape, and an escaped dot
// segment (`%2e%2e`) are refused; `.`/`..` segments are resolved, empty segments (`//`) and a trailing slash
// dropped, escapes of unreserved characters (`%70` → `p`) decoded. On Ollama's native paths (`/api/*` other
// than `/api/v1/*`) a `;` and any escape still left (an escaped slash, backslash, `#`, space…; `%3A` aside)
// are refused too: Ollama's router would read them differently than we do. Case is kept (Ollama's routes
// are case-sensitive); decisions compare case-blind.

const SLASH = 47;
const DOT = 46;
const PERCENT = 37;
const BACKSLASH = 92;
const HASH = 35;
const SEMICOLON = 59;
const QUESTION = 63;

const ABSOLUTE_FORM = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is;
const UNRESERVED = /[A-Za-z0-9\-._~]/;
const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
/** On native paths: `;` and any escape left after decoding the unreserved ones, bar `%3A` (`:` in blob digests). */
const NATIVE_FORBIDDEN = /;|%(?!3a)/i;

/** Where the Host header is read from, only for an absolute-form target (Node builds req.headers on first access). */
export interface TargetRequest {
  readonly headers: { readonly host?: string | undefined };
}

/**
 * The canonical form of a request target, the very string when it is already canonical (the common case,
 * checked without allocating); throws InvalidRequestError for what must be refused.
 */
export function canonicalTarget(url: string, req: TargetRequest): string {
  return isPlainTarget(url) ? url : normalizeTarget(url, req);
}

/**
 * Whether a refused target was aimed at Ollama's native API (its errors then take Ollama's shape): a guess,
 * reading the target as the most lenient server would (escaped dots and slashes, backslashes as slashes).
 */
export function looksNative(url: string): boolean {
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split(/[?#]/, 1)[0]!;
  const lenient = path.replace(/%2e/gi, '.').replace(/%2f|%5c|\\/gi, '/');
  return isOllamaNativePath(posix.normalize(`/${lenient}`));
}

/** Origin-form, no escapes, dot segments, empty segments, backslashes, `;` or fragment, no trailing slash. */
function isPlainTarget(url: string): boolean {
  if (url.charCodeAt(0) !== SLASH) return false;
  const length = url.length;
  let index = 0;
  for (; index < length; index++) {
    const char = url.charCodeAt(index);
    if (char === QUESTION) break;
    if (char === PERCENT || char === BACKSLASH || char === HASH || char === SEMICOLON) return false;
    if (char === SLASH) {
      const after = url.charCodeAt(index + 1);
      if (after === SLASH || after === DOT || after === QUESTION || (index + 1 === length && index > 0)) return false;
    }
  }
  return index === length || url.indexOf('#', index) === -1;
}

function refuse(reason: string): never {
  throw new InvalidRequestError(`The request target cannot be accepted: ${reason}.`);
}

function normalizeTarget(url: string, req: TargetRequest): string {
  const target = url.charCodeAt(0) === SLASH ? url : toOriginForm(url, req.headers.host);
  if (target.includes('#')) refuse('it has a fragment (#)');
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  if (path.includes('\\')) refuse('it has a backslash in the path');
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '' || raw === '.') continue;
    if (raw === '..') {
      segments.pop();
      continue;
    }
    segments.push(raw.includes('%') ? normalizeEscapes(raw) : raw);
  }
  const canonical = `/${segments.join('/')}`;
  if (isOllamaNativePath(canonical) && NATIVE_FORBIDDEN.test(canonical)) {
    refuse("Ollama's native API paths may hold neither ';' nor escapes other than of unreserved characters and ':'");
  }
  const result = queryAt === -1 ? canonical : canonical + target.slice(queryAt);
  return result === url ? url : result;
}

/** `http://<Host>/path` → `/path`; another authority, another scheme or asterisk-form is refused. */
function toOriginForm(url: string, host: string | undefined): string {
  const match = ABSOLUTE_FORM.exec(url);
  if (!match) refuse('it is neither a path nor an absolute URL');
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  if (!/^https?$/i.test(scheme)) refuse(`the scheme '${scheme}' is not served here`);
  if (host === undefined || authority.toLowerCase() !== host.toLowerCase()) refuse('its authority is not this server (Host header)');
  if (rest === '' || rest.charCodeAt(0) === QUESTION) return `/${rest}`;
  return rest;
}

/** Decodes escapes of unreserved characters, uppercases the others; refuses malformed, NUL and escaped-dot segments. */
function normalizeEscapes(segment: string): string {
  let out = '';
  for (let index = 0; index < segment.length; index++) {
    const char = segment[index]!;
    if (char !== '%') {
      out += char;
      continue;
    }
    const hex = segment.slice(index + 1, index + 3);
    if (!HEX_PAIR.test(hex)) refuse('it has a malformed percent-escape');
    if (hex === '00') refuse('it has an escaped NUL (%00)');
    const decoded = String.fromCharCode(parseInt(hex, 16));
    out += UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`;
    index += 2;
  }
  if (out === '.' || out === '..') refuse('it has an escaped dot segment');
  return out;
}

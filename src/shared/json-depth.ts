// One bound on JSON nesting, checked on the text before anything parses or walks it, so no code
// downstream (validation, fingerprints, translators, JSON.stringify towards Ollama) recurses unbounded.
// The scan counts brackets outside strings; strings are skipped with indexOf, so large base64 images cost
// little. Only a refused text is scanned a second time, to name the path where the limit was crossed.

/** Default BODY_MAX_DEPTH: far beyond any real request (JSON Schemas of tools nest a dozen levels). */
export const DEFAULT_MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** Index just after the string whose opening quote is at `start`; text.length when it never closes. */
function skipString(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    quote = text.indexOf('"', quote + 1);
  }
  return text.length;
}

/** True when `text` (JSON, possibly malformed) opens more than `maxDepth` objects/arrays inside each other. */
export function exceedsJsonDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      index = skipString(text, index) - 1;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

interface Frame {
  isArray: boolean;
  key: string;
  index: number;
}

/**
 * Where the limit is crossed, in OpenAI's `param` notation (`tools[0].function.parameters.properties.a`):
 * the member or element that is the first object or array one level too deep. '' when the top level itself is too deep.
 */
export function jsonDepthPath(text: string, maxDepth: number): string {
  const stack: Frame[] = [];
  let pendingKey = '';
  let expectKey = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      const end = skipString(text, index);
      if (expectKey) pendingKey = decodeKey(text.slice(index, end));
      expectKey = false;
      index = end - 1;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      const parent = stack[stack.length - 1];
      if (parent && !parent.isArray) parent.key = pendingKey;
      if (stack.length >= maxDepth) return formatPath(stack);
      stack.push({ isArray: code === OPEN_BRACKET, key: '', index: 0 });
      expectKey = code === OPEN_BRACE;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      stack.pop();
    } else if (code === COMMA) {
      const top = stack[stack.length - 1];
      if (top?.isArray) top.index++;
      expectKey = top !== undefined && !top.isArray;
    }
  }
  return '';
}

function decodeKey(quoted: string): string {
  try {
    return String(JSON.parse(quoted));
  } catch {
    return quoted.slice(1, -1);
  }
}

function formatPath(stack: readonly Frame[]): string {
  let path = '';
  for (const frame of stack) {
    if (frame.isArray) path += `[${frame.index}]`;
    else if (path === '' && stack[0] === frame) path = frame.key;
    else path += `.${frame.key}`;
  }
  return path;
}

import { InvalidRequestError, PermissionDeniedError } from '../core/errors.js';

// Model allow-lists hold exact names or globs (`*` = any run of characters, `?` = one character).
// Ollama treats an untagged name as `:latest`, so `deepseek-r1` and `deepseek-r1:latest` are the same model
// on both sides of the comparison.

/** `undefined`/`null` means every model; an empty list means none. */
export function isModelAllowed(model: string, patterns?: readonly string[] | null): boolean {
  if (patterns === undefined || patterns === null) return true;
  const candidates = new Set([model, withDefaultTag(model)]);
  return patterns.some((pattern) => {
    const matcher = compilePattern(hasGlob(pattern) ? pattern : withDefaultTag(pattern));
    return [...candidates].some((candidate) => matcher.test(candidate));
  });
}

export function assertModelAllowed(model: string, patterns?: readonly string[] | null): void {
  if (isModelAllowed(model, patterns)) return;
  const allowed = patterns && patterns.length > 0 ? patterns.join(', ') : 'none';
  throw new PermissionDeniedError(`This key may not use the model '${model}' (allowed: ${allowed}).`, 'model');
}

/** Validates a model allow-list from user input (CLI flag or admin API). */
export function parseModelPatterns(input: string | readonly string[], param = 'models'): string[] {
  const items = typeof input === 'string' ? input.split(',') : input;
  const patterns = items.map((item) => item.trim());
  const bad = patterns.find((pattern) => pattern === '' || /\s/.test(pattern));
  if (bad !== undefined) {
    throw new InvalidRequestError(`Model patterns must be non-empty and contain no spaces (got '${bad}').`, param);
  }
  return [...new Set(patterns)];
}

function hasGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

function withDefaultTag(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

function compilePattern(pattern: string): RegExp {
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

// Ollama model names are `[host/][namespace/]model[:tag]`; the tag defaults to `latest`, the
// namespace to `library`, the host to registry.ollama.ai, and lookups ignore case.

const DEFAULT_HOST = 'registry.ollama.ai';
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*){0,2}(:[a-z0-9_][a-z0-9._-]{0,127})?$/i;

export function isValidModelName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

function withTag(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

/** The key two names share when Ollama would treat them as the same model. */
export function modelKey(name: string): string {
  const tagged = withTag(name.trim().toLowerCase());
  const parts = tagged.split('/');
  if (parts.length === 3 && parts[0] === DEFAULT_HOST) parts.shift();
  if (parts.length === 2 && parts[0] === 'library') parts.shift();
  return parts.join('/');
}

/** The full name some Ollama errors print, e.g. `registry.ollama.ai/library/deepseek-r1:7b`. */
export function canonicalModelName(name: string): string {
  const parts = withTag(name).split('/');
  if (parts.length === 1) return `${DEFAULT_HOST}/library/${parts[0] ?? ''}`;
  if (parts.length === 2) return `${DEFAULT_HOST}/${parts.join('/')}`;
  return parts.join('/');
}

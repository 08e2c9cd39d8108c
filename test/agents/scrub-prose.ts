// Recorded agent requests carry the agent's own prompt and tool descriptions: text that is not ours to commit.
// Long prose is replaced by filler of the same length (sizes and token counts stay realistic), keeping its
// first line's start so a reader sees what it was; structure, short strings and JSON schemas' shapes stay as sent.

const PROSE_KEYS = new Set(['text', 'description', 'content']);
const KEEP = 40;
const LIMIT = 200;

export function scrubProse(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return PROSE_KEYS.has(key) && value.length > LIMIT ? filler(value) : value;
  if (Array.isArray(value)) return value.map((item) => scrubProse(item, key));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, scrubProse(item, name)]));
}

function filler(text: string): string {
  const head = text.slice(0, KEEP).split('\n', 1)[0]!;
  const rest = ' [prose removed]'.padEnd(text.length - head.length, ' lorem ipsum');
  return head + rest;
}

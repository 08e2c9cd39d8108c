// keep_alive is a Go duration string ("5m", "1h30m", "-1m") or a number of seconds; negative means
// "keep loaded forever", 0 means "unload after this request", unset means OLLAMA_KEEP_ALIVE (5m).

export const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

function parseGoDuration(text: string): number | undefined {
  const negative = text.startsWith('-');
  const rest = text.replace(/^[-+]/, '');
  if (rest === '0') return 0;
  let total = 0;
  let consumed = 0;
  for (const match of rest.matchAll(PART)) {
    if (match.index !== consumed) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
    consumed += match[0].length;
  }
  if (consumed === 0 || consumed !== rest.length) return undefined;
  return negative ? -total : total;
}

/** Milliseconds to keep the model loaded (Infinity = forever), or an error message as Ollama words it. */
export function parseKeepAlive(value: unknown): { ms: number } | { error: string } {
  if (value === undefined || value === null) return { ms: DEFAULT_KEEP_ALIVE_MS };
  const ms =
    typeof value === 'number'
      ? value * 1000
      : typeof value === 'string'
        ? (parseGoDuration(value) ?? (/^-?\d+$/.test(value) ? Number(value) * 1000 : undefined))
        : undefined;
  if (ms === undefined) return { error: `time: invalid duration ${JSON.stringify(String(value))}` };
  return { ms: ms < 0 ? Number.POSITIVE_INFINITY : ms };
}

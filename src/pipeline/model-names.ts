import type { ModelInfo } from '../core/chat-result.js';

// Name matching that needs the installed list: configured wildcard aliases ("claude-*"), a name without a tag,
// and "did you mean" suggestions for a 404. Pure.

export interface ConfiguredAliases {
  /** Exact name → target. */
  exact: Readonly<Record<string, string>>;
  /** `*` patterns, longest (most specific) first. */
  wildcards: readonly { pattern: RegExp; key: string; target: string }[];
}

/** Splits `models.aliases` into exact names and `*` patterns once, at start-up. */
export function compileAliases(aliases: Readonly<Record<string, string>>): ConfiguredAliases {
  const exact: Record<string, string> = {};
  const wildcards: { pattern: RegExp; key: string; target: string }[] = [];
  for (const [key, target] of Object.entries(aliases)) {
    if (!key.includes('*')) {
      exact[key] = target;
      continue;
    }
    const source = key.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    wildcards.push({ pattern: new RegExp(`^${source}$`, 'i'), key, target });
  }
  wildcards.sort((a, b) => b.key.replaceAll('*', '').length - a.key.replaceAll('*', '').length);
  return { exact, wildcards };
}

/** The configured target for a name: exact first, then the most specific wildcard. */
export function findConfiguredAlias(name: string, aliases: ConfiguredAliases): string | undefined {
  if (Object.hasOwn(aliases.exact, name)) return aliases.exact[name] || undefined;
  for (const wildcard of aliases.wildcards) if (wildcard.pattern.test(name)) return wildcard.target;
  return undefined;
}

export type TaglessMatch = { kind: 'one'; id: string } | { kind: 'several'; ids: string[] } | { kind: 'none' };

/**
 * A name without a tag: Ollama would look for `<name>:latest`. When that is not installed but exactly one
 * `<name>:<tag>` is, that one is meant; several are ambiguous.
 */
export function matchTagless(name: string, installed: readonly ModelInfo[]): TaglessMatch {
  if (name.includes(':')) return { kind: 'none' };
  if (installed.some((model) => model.id === name || model.id === `${name}:latest`)) return { kind: 'none' };
  const ids = installed.map((model) => model.id).filter((id) => id.startsWith(`${name}:`));
  if (ids.length === 1) return { kind: 'one', id: ids[0]! };
  return ids.length > 1 ? { kind: 'several', ids } : { kind: 'none' };
}

/** Up to three installed names close to `name` (same family first, then small edit distance). */
export function suggestModels(name: string, installed: readonly ModelInfo[]): string[] {
  const family = (id: string) => id.split(':')[0]!.toLowerCase();
  const wanted = family(name);
  const scored = installed.map((model) => {
    const candidate = family(model.id);
    const distance = candidate.startsWith(wanted) || wanted.startsWith(candidate) ? 0 : editDistance(wanted, candidate);
    return { id: model.id, distance };
  });
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  return scored
    .filter((entry) => entry.distance <= limit)
    .sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id))
    .slice(0, 3)
    .map((entry) => entry.id);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

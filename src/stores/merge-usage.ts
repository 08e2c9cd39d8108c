import type { UsageIncrement } from './key-store.js';

/** Adds up increments of the same (key, day, model), so a batch upserts each counter row once. */
export function mergeUsage(increments: readonly UsageIncrement[]): UsageIncrement[] {
  const merged = new Map<string, UsageIncrement>();
  for (const increment of increments) {
    const id = `${increment.keyId}\u0000${increment.day}\u0000${increment.model}`;
    const existing = merged.get(id);
    if (existing === undefined) {
      merged.set(id, { ...increment });
    } else {
      existing.requests += increment.requests;
      existing.promptTokens += increment.promptTokens;
      existing.completionTokens += increment.completionTokens;
      existing.cachedTokens = (existing.cachedTokens ?? 0) + (increment.cachedTokens ?? 0);
    }
  }
  return [...merged.values()];
}

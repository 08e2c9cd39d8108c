import type { ChatResult } from '../../core/chat-result.js';

// How a ChatResult sits in the cache: plain JSON (createdAt as ISO text), usage as the upstream reported it.

interface StoredResult extends Omit<ChatResult, 'createdAt'> {
  createdAt: string;
}

export function toStoredResult(result: ChatResult): StoredResult {
  const { cachedTokens: _cached, ...usage } = result.usage;
  return { ...result, createdAt: result.createdAt.toISOString(), usage };
}

/** Undefined for anything that is not a stored result (an entry from another version, a foreign writer). */
export function fromStoredResult(value: unknown): ChatResult | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stored = value as Partial<StoredResult>;
  if (typeof stored.model !== 'string' || typeof stored.createdAt !== 'string') return undefined;
  if (typeof stored.message?.content !== 'string' || typeof stored.usage?.promptTokens !== 'number') return undefined;
  if (typeof stored.finishReason !== 'string') return undefined;
  return { ...(stored as StoredResult), createdAt: new Date(stored.createdAt) };
}

/** A hit cost the model nothing: its whole prompt counts as cached (usage.prompt_tokens_details.cached_tokens). */
export function asCacheHit(result: ChatResult): ChatResult {
  return { ...result, usage: { ...result.usage, cachedTokens: result.usage.promptTokens } };
}

import type { CallContext } from '../../core/chat-backend.js';
import type { EmbeddingRequest } from '../../core/chat-request.js';
import type { EmbeddingResult } from '../../core/chat-result.js';
import { cacheScope, fingerprintEmbedding } from '../request-fingerprint.js';
import type { CacheLookupResult } from './cached-generation.js';
import type { TieredCache } from './tiered-cache.js';

/** One input's vector; `tokens` is its share of the batch's prompt tokens (Ollama reports only the total). */
interface StoredEmbedding {
  model: string;
  embedding: number[];
  tokens: number;
}

export interface CachedEmbeddingsDeps {
  cache: TieredCache;
  shareAcrossKeys: boolean;
  onLookup: (result: CacheLookupResult) => void;
}

type Embed = (request: EmbeddingRequest, ctx: CallContext) => Promise<EmbeddingResult>;

/**
 * Embeddings are deterministic, so every input is cached on its own: a batch sends upstream only the inputs
 * not seen before (once each) and reassembles the answer in the caller's order. All inputs found → hit.
 */
export function cachedEmbeddings(embed: Embed, deps: CachedEmbeddingsDeps): Embed {
  return async (request, ctx) => {
    const scope = cacheScope(ctx.principal, deps.shareAcrossKeys);
    const keys = request.inputs.map((input) => fingerprintEmbedding(request, input, scope));
    const noCache = ctx.cacheControl?.noCache === true;
    const found = noCache ? keys.map(() => undefined) : await Promise.all(keys.map(async (key) => toStored(await deps.cache.get(key))));
    const missing = new Map<string, string>();
    found.forEach((entry, index) => {
      if (!entry) missing.set(keys[index]!, request.inputs[index]!);
    });
    const status = noCache ? 'bypass' : missing.size === 0 ? 'hit' : 'miss';
    ctx.outcome.cache = status;
    deps.onLookup(status);
    const fresh = missing.size === 0 ? new Map<string, StoredEmbedding>() : await embedMissing(embed, request, missing, ctx);
    if (ctx.cacheControl?.noStore !== true) {
      await Promise.all([...fresh].map(([key, entry]) => deps.cache.set(key, entry)));
    }
    const entries = keys.map((key, index) => found[index] ?? fresh.get(key)!);
    const hitTokens = found.reduce((sum, entry) => sum + (entry?.tokens ?? 0), 0);
    const freshTokens = [...fresh.values()].reduce((sum, entry) => sum + entry.tokens, 0);
    return { model: entries[0]?.model ?? request.model, embeddings: entries.map((entry) => entry.embedding), promptTokens: hitTokens + freshTokens };
  };
}

async function embedMissing(embed: Embed, request: EmbeddingRequest, missing: Map<string, string>, ctx: CallContext): Promise<Map<string, StoredEmbedding>> {
  const inputs = [...missing.values()];
  const result = await embed({ ...request, inputs }, ctx);
  const shares = splitTokens(result.promptTokens, inputs);
  const fresh = new Map<string, StoredEmbedding>();
  [...missing.keys()].forEach((key, index) => {
    fresh.set(key, { model: result.model, embedding: result.embeddings[index] ?? [], tokens: shares[index]! });
  });
  return fresh;
}

/** Shares of `total` in proportion to each input's length; the rounding remainder goes to the last input. */
function splitTokens(total: number, inputs: readonly string[]): number[] {
  const length = inputs.reduce((sum, input) => sum + input.length, 0);
  const shares = inputs.map((input) => (length === 0 ? 0 : Math.floor((total * input.length) / length)));
  if (shares.length > 0) shares[shares.length - 1]! += total - shares.reduce((sum, share) => sum + share, 0);
  return shares;
}

function toStored(value: unknown): StoredEmbedding | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Partial<StoredEmbedding>;
  return Array.isArray(entry.embedding) && typeof entry.model === 'string' && typeof entry.tokens === 'number' ? (entry as StoredEmbedding) : undefined;
}

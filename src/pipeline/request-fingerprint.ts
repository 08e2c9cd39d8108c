import { hash as oneShotHash } from 'node:crypto';
import type { ChatRequest, EmbeddingRequest, SamplingOptions, TextRequest } from '../core/chat-request.js';
import type { Principal } from '../core/principal.js';
import { canonicalJson } from '../shared/canonical-json.js';

export type CachePolicy = 'off' | 'deterministic' | 'always';

/** Bump when the stored entry's meaning changes, so old entries stop matching. */
const FINGERPRINT_VERSION = 1;

/**
 * Whose entries a caller may see. Keys (and JWTs issued for them) are separate scopes unless the operator
 * shares the cache; master and anonymous are one scope each.
 */
export function cacheScope(principal: Principal, shareAcrossKeys: boolean): string {
  if (shareAcrossKeys) return '*';
  return principal.kind === 'api-key' || principal.kind === 'jwt' ? `key:${principal.id}` : principal.kind;
}

/** `deterministic` caches only what the model would answer the same way again: temperature 0 or a fixed seed. */
export function isCacheable(sampling: SamplingOptions, policy: CachePolicy): boolean {
  if (policy === 'always') return true;
  if (policy === 'off') return false;
  return sampling.temperature === 0 || sampling.seed !== undefined;
}

/**
 * SHA-256 (hex) of the canonical JSON of everything that changes the output. The request objects are
 * canonical already (no `stream`, `user` or `stream_options`), and the cache runs after model resolution,
 * so `model` is the resolved Ollama model and `runtime` holds the per-model default options.
 */
export function fingerprintChat(request: ChatRequest, scope: string): string {
  return hash({ v: FINGERPRINT_VERSION, kind: 'chat', scope, request });
}

export function fingerprintText(request: TextRequest, scope: string): string {
  return hash({ v: FINGERPRINT_VERSION, kind: 'text', scope, request });
}

/** One fingerprint per input text, so a batch reuses whatever inputs were embedded before. */
export function fingerprintEmbedding(request: EmbeddingRequest, input: string, scope: string): string {
  const { inputs: _inputs, ...settings } = request;
  return hash({ v: FINGERPRINT_VERSION, kind: 'embedding', scope, settings, input });
}

function hash(value: unknown): string {
  // crypto.hash: one call, no Hash object (cheaper than createHash for inputs this size).
  return oneShotHash('sha256', canonicalJson(value), 'hex');
}

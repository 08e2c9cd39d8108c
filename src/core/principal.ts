/** Who is calling. Set by authentication; used for scopes, model allow-lists, rate limits and cache scoping. */
export type Scope = 'chat' | 'completions' | 'embeddings' | 'models:read' | 'ollama' | 'admin';

export const ALL_SCOPES: readonly Scope[] = ['chat', 'completions', 'embeddings', 'models:read', 'ollama', 'admin'];

export interface Principal {
  /** Key id, or 'master' / 'anonymous'. */
  id: string;
  kind: 'api-key' | 'jwt' | 'master' | 'anonymous';
  scopes: readonly Scope[];
  /** Allowed model names or globs; undefined means every model. */
  models?: readonly string[];
  /** Rate-limit tier name. */
  tier?: string;
  /** The key's own limits; each set field overrides its tier's value (filled by access control). */
  limits?: RateLimitOverrides;
}

/** Per-key rate-limit overrides: same fields and units as a configured tier. */
export interface RateLimitOverrides {
  requestsPerMinute?: number;
  burst?: number;
  tokensPerMinute?: number;
  concurrentStreams?: number;
  tokensPerDay?: number;
  tokensPerMonth?: number;
}

export const ANONYMOUS: Principal = Object.freeze({ id: 'anonymous', kind: 'anonymous', scopes: ALL_SCOPES });

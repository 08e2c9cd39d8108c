import type { Usage } from './chat-result.js';

// What became of one call, filled in by the stages that know (resolution, cache, backend) and read by the HTTP
// layer once the answer is out (headers, the access line, the token limit). One plain object per request.

export type CacheStatus = 'hit' | 'miss' | 'bypass';

export interface CallOutcome {
  /** The installed model the request was resolved to (after aliases and tag-less names). */
  model?: string;
  /** How the response cache answered: from the store (or a shared call), from upstream, or skipped. */
  cache?: CacheStatus;
  /** The prompt was longer than the model's context and Ollama was allowed to cut it (contextOverflow: truncate). */
  contextTruncated?: boolean;
  /** The Ollama host that answered, when there is more than one to choose from. */
  host?: string;
  /** Token counts of the generation, as recorded for logs, metrics and the token limit. */
  usage?: Usage;
}

// The fake's KV cache and context window, as Ollama's runner behaves: a prompt that starts like the model's
// previous one is partly read from the cache (`prompt_eval_cached_count`, reported since Ollama 0.33.3, and
// included in `prompt_eval_count`); a prompt longer than num_ctx is cut (truncate unset/true: oldest messages
// dropped) or refused (truncate:false on a model without context shift, i.e. the deepseek2 architecture).
import type { FakeModel } from './fake-model.js';

/** The first Ollama release whose final line carries prompt_eval_cached_count (ollama/ollama#17943). */
export const CACHED_COUNT_VERSION = '0.33.3';

export const CONTEXT_ERROR =
  'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length';

export function reportsCachedCount(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  const [wantMajor, wantMinor, wantPatch] = [0, 33, 3];
  if (major !== wantMajor) return major > wantMajor;
  if (minor !== wantMinor) return minor > wantMinor;
  return patch >= wantPatch;
}

/** Tokens of each prompt piece (messages), so the cache can count a shared prefix. */
export interface PromptPieces {
  texts: string[];
  tokens: number[];
}

/** Ollama keeps at least the last token to evaluate, so a cached count is below the prompt's. */
export function cachedPrefixTokens(previous: PromptPieces | undefined, current: PromptPieces): number {
  if (!previous) return 0;
  let cached = 0;
  for (let i = 0; i < current.texts.length && i < previous.texts.length; i++) {
    if (current.texts[i] !== previous.texts[i]) break;
    cached += current.tokens[i] ?? 0;
  }
  const total = current.tokens.reduce((sum, n) => sum + n, 0);
  return Math.min(cached, Math.max(0, total - 1));
}

export type ContextOutcome = { kind: 'fits' } | { kind: 'truncated'; keptFrom: number } | { kind: 'refused'; message: string };

/** What Ollama does with a prompt of `tokens` per piece (piece 0 = system/first message, always kept). */
export function fitContext(model: FakeModel, pieces: PromptPieces, numCtx: number, truncate: unknown): ContextOutcome {
  const total = pieces.tokens.reduce((sum, n) => sum + n, 0);
  if (total <= numCtx) return { kind: 'fits' };
  if (truncate === false) {
    return model.architecture === 'deepseek2' ? { kind: 'refused', message: CONTEXT_ERROR } : { kind: 'truncated', keptFrom: 0 };
  }
  let kept = total;
  let from = 0;
  while (kept > numCtx && from < pieces.tokens.length - 1) kept -= pieces.tokens[from++] ?? 0;
  return { kind: 'truncated', keptFrom: from };
}

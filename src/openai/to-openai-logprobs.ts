import type { TokenLogprob } from '../core/chat-result.js';
import type { OpenAIChoiceLogprobs, OpenAITextLogprobs, OpenAITokenLogprob } from './openai-wire.js';

// Canonical token logprobs → OpenAI's two shapes: chat's `logprobs.content[]` and the legacy completions arrays.

export function toOpenAIChoiceLogprobs(logprobs: readonly TokenLogprob[] | undefined): OpenAIChoiceLogprobs | null {
  return logprobs ? { content: logprobs.map(toOpenAITokenLogprob), refusal: null } : null;
}

function toOpenAITokenLogprob(entry: TokenLogprob): OpenAITokenLogprob {
  return {
    token: entry.token,
    logprob: entry.logprob,
    bytes: entry.bytes ?? null,
    top_logprobs: (entry.top ?? []).map((alt) => ({ token: alt.token, logprob: alt.logprob, bytes: alt.bytes ?? null })),
  };
}

/** Legacy shape: parallel arrays; `text_offset` counts characters from `offset` (the start of this text in the choice). */
export function toOpenAITextLogprobs(logprobs: readonly TokenLogprob[] | undefined, offset = 0): OpenAITextLogprobs | null {
  if (!logprobs) return null;
  const textOffset: number[] = [];
  let position = offset;
  for (const entry of logprobs) {
    textOffset.push(position);
    position += entry.token.length;
  }
  const hasTop = logprobs.some((entry) => entry.top !== undefined);
  return {
    tokens: logprobs.map((entry) => entry.token),
    token_logprobs: logprobs.map((entry) => entry.logprob),
    top_logprobs: hasTop ? logprobs.map((entry) => Object.fromEntries((entry.top ?? []).map((alt) => [alt.token, alt.logprob]))) : null,
    text_offset: textOffset,
  };
}

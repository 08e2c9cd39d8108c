import type { ServerResponse } from 'node:http';

export interface LimitState {
  limit: number;
  remaining: number;
  /** Milliseconds until the window starts over. */
  resetMs: number;
}

/**
 * OpenAI's reset format is Go's time.Duration text: "12ms", "1s", "1.5s", "6m0s", "1h0m0s"
 * (whole units below the largest are always written, seconds may carry a fraction).
 */
export function formatResetDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  const fraction = millis % 1000 === 0 ? '' : `.${String(millis % 1000).padStart(3, '0').replace(/0+$/, '')}`;
  const seconds = `${Math.floor(millis / 1000)}${fraction}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

export function setRequestHeaders(res: ServerResponse, state: LimitState): void {
  if (res.headersSent) return;
  res.setHeader('x-ratelimit-limit-requests', String(state.limit));
  res.setHeader('x-ratelimit-remaining-requests', String(Math.max(0, state.remaining)));
  res.setHeader('x-ratelimit-reset-requests', formatResetDuration(state.resetMs));
}

export function setTokenHeaders(res: ServerResponse, state: LimitState): void {
  if (res.headersSent) return;
  res.setHeader('x-ratelimit-limit-tokens', String(state.limit));
  res.setHeader('x-ratelimit-remaining-tokens', String(Math.max(0, state.remaining)));
  res.setHeader('x-ratelimit-reset-tokens', formatResetDuration(state.resetMs));
}

/** Whole seconds for `retry-after` (at least 1, as the OpenAI spec's TooManyRequests response requires). */
export function retryAfterSeconds(resetMs: number): number {
  return Math.max(1, Math.ceil(resetMs / 1000));
}

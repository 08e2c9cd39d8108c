import { RateLimitError } from '../../core/errors.js';
import type { Metrics } from '../../observability/metrics.js';
import type { LimitStore, TokenReservation, TokenTicket } from '../../stores/limit-store.js';
import type { Handler, HttpRequest, HttpResponse, Next } from '../http-types.js';
import { estimateRequestTokens } from './estimate-tokens.js';
import { retryAfterSeconds, setTokenHeaders } from './ratelimit-headers.js';
import { refusalOnStoreFailure, type StoreFailurePolicy } from './store-failure.js';
import { limitIdentity, type LimitResolver, type ResolvedLimits } from './resolve-limits.js';

export interface TokenLimitDeps {
  limits: LimitStore;
  resolve: LimitResolver;
  metrics: Metrics;
  estimatedCompletionTokens: number;
  failure: StoreFailurePolicy;
}

/**
 * Tokens per minute and the daily/monthly quotas. Before the call, the estimate (prompt + max_tokens) is
 * checked and reserved in one atomic step; when the response closes, the reservation is replaced by what
 * Ollama counted. Cache hits cost nothing; calls that end without usage are refunded; an aborted stream keeps
 * the estimate.
 */
export function tokenLimit(deps: TokenLimitDeps): Handler {
  return async function tokenLimitMiddleware(_req: HttpRequest, res: HttpResponse, next: Next): Promise<void> {
    const limits = deps.resolve(res.locals.principal);
    const call = res.locals.call;
    const estimate = call === undefined ? 0 : estimateRequestTokens(call.request, deps.estimatedCompletionTokens);
    let reservation: TokenReservation;
    try {
      reservation = await deps.limits.reserveTokens(limitIdentity(res.locals.principal, res.locals.clientIp), estimate, {
        perMinute: limits.tokensPerMinute,
        ...(limits.tokensPerDay === undefined ? {} : { perDay: limits.tokensPerDay }),
        ...(limits.tokensPerMonth === undefined ? {} : { perMonth: limits.tokensPerMonth }),
      });
    } catch (error) {
      return next(refusalOnStoreFailure(deps.failure, error));
    }
    const now = Date.now();
    const minute = reservation.usage.minute;
    setTokenHeaders(res, { limit: limits.tokensPerMinute, remaining: limits.tokensPerMinute - minute.used, resetMs: minute.resetsAt - now });
    if (!reservation.ok) return next(refusal(reservation, limits, estimate, now, deps.metrics));
    if (estimate > 0) {
      const ticket = reservation.ticket;
      res.once('close', () => void settle(deps, ticket, res));
    }
    next();
  };
}

async function settle(deps: TokenLimitDeps, ticket: TokenTicket, res: HttpResponse): Promise<void> {
  try {
    await deps.limits.settleTokens(ticket, spentTokens(res, ticket.reserved));
  } catch (error) {
    deps.failure.report(error);
  }
}

/** What the call really cost the model. */
function spentTokens(res: HttpResponse, reserved: number): number {
  const { usage, cache } = res.locals.outcome ?? {};
  if (cache === 'hit') return 0;
  if (usage) return usage.promptTokens + usage.completionTokens;
  // Finished without usage: refused, failed, or a route that generates nothing. Aborted mid-generation: the real
  // count is unknown, so the estimate stays.
  return res.writableFinished || res.statusCode >= 400 ? 0 : reserved;
}

function refusal(reservation: Extract<TokenReservation, { ok: false }>, limits: ResolvedLimits, estimate: number, now: number, metrics: Metrics): RateLimitError {
  const { exceeded, usage } = reservation;
  const resetMs = usage[exceeded].resetsAt - now;
  if (exceeded === 'minute') {
    metrics.rateLimited('tokens');
    return new RateLimitError(
      `Rate limit reached for tokens per minute: limit ${limits.tokensPerMinute}, used ${usage.minute.used}, requested ${estimate}. Retry after ${retryAfterSeconds(resetMs)}s.`,
      resetMs / 1000,
      'token_rate_limit_exceeded',
    );
  }
  metrics.rateLimited('quota');
  const limit = exceeded === 'day' ? limits.tokensPerDay : limits.tokensPerMonth;
  return new RateLimitError(
    `Token quota for this ${exceeded} is used up: limit ${limit}, used ${usage[exceeded].used}. It resets in ${retryAfterSeconds(resetMs)}s.`,
    resetMs / 1000,
    'quota_exceeded',
  );
}

// The counters behind rate limits that express-rate-limit's request Store does not cover: tokens per minute,
// token quotas per UTC day and month, and concurrent-stream leases. Every check-and-consume is one atomic
// step (a Lua script in Redis), so instances sharing Redis cannot both pass the last free slot.

export interface TokenLimits {
  perMinute?: number;
  perDay?: number;
  perMonth?: number;
}

export interface PeriodUsage {
  used: number;
  /** Epoch ms when the counter starts again from zero. */
  resetsAt: number;
}

export interface TokenUsage {
  minute: PeriodUsage;
  day: PeriodUsage;
  month: PeriodUsage;
}

/** What a settlement needs to correct exactly the counters its reservation charged. */
export interface TokenTicket {
  identity: string;
  reserved: number;
  day: string;
  month: string;
}

export type TokenReservation =
  | { ok: true; usage: TokenUsage; ticket: TokenTicket }
  | { ok: false; exceeded: 'minute' | 'day' | 'month'; usage: TokenUsage };

export interface StreamLease {
  ok: boolean;
  /** Streams open for the identity, counting this one when it was granted. */
  active: number;
  lease: string;
}

export interface LimitStore {
  readonly kind: 'memory' | 'redis';
  /**
   * Refuses when a quota is used up, or when the estimate does not fit what is left of the minute window
   * (an empty window always admits one request, so an estimate above the limit cannot block forever);
   * otherwise adds the estimate to all three counters. An estimate of 0 only reads and is never refused.
   */
  reserveTokens(identity: string, estimate: number, limits: TokenLimits): Promise<TokenReservation>;
  /** Replaces the reservation with the real count (a refund or a top-up) on the periods it charged. */
  settleTokens(ticket: TokenTicket, actual: number): Promise<void>;
  /** Grants a lease when fewer than `limit` are open; a lease not renewed within `leaseMs` expires by itself. */
  acquireStream(identity: string, limit: number, leaseMs: number): Promise<StreamLease>;
  renewStream(identity: string, lease: string, leaseMs: number): Promise<void>;
  releaseStream(identity: string, lease: string): Promise<void>;
  readUsage(identity: string): Promise<{ tokens: TokenUsage; streams: number }>;
  close(): Promise<void>;
}

/** The minute window starts with the first tokens an identity spends (like express-rate-limit's windows). */
export const TOKEN_WINDOW_MS = 60_000;

export interface CalendarPeriods {
  day: string;
  dayEndsAt: number;
  month: string;
  monthEndsAt: number;
}

/** UTC day and month containing `now`, with their end instants. */
export function calendarPeriods(now: number): CalendarPeriods {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  const monthText = `${year}-${String(month + 1).padStart(2, '0')}`;
  return {
    day: `${monthText}-${String(day).padStart(2, '0')}`,
    dayEndsAt: Date.UTC(year, month, day + 1),
    month: monthText,
    monthEndsAt: Date.UTC(year, month + 1, 1),
  };
}

/**
 * calendarPeriods, recomputed only when the day is over (called on every request). The returned object is
 * reused and its `now` updated by each call: read it at once, do not keep it.
 */
export function createPeriodClock(now: () => number = Date.now): () => CalendarPeriods & { now: number } {
  let current = { ...calendarPeriods(now()), now: 0 };
  return () => {
    const at = now();
    if (at >= current.dayEndsAt || at < current.dayEndsAt - 86_400_000) current = { ...calendarPeriods(at), now: 0 };
    current.now = at;
    return current;
  };
}

import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import {
  createPeriodClock,
  TOKEN_WINDOW_MS,
  type CalendarPeriods,
  type LimitStore,
  type StreamLease,
  type TokenLimits,
  type TokenReservation,
  type TokenTicket,
  type TokenUsage,
} from './limit-store.js';

export interface MemoryLimitStoreOptions {
  /** Identities remembered; the least recently seen are forgotten beyond it. Default 50,000. */
  maxIdentities?: number;
  now?: () => number;
}

interface Counters {
  minute: number;
  minuteResetsAt: number;
  day: string;
  dayUsed: number;
  month: string;
  monthUsed: number;
}

/** One process: plain counters, atomic because each operation runs in one synchronous turn. */
export function createMemoryLimitStore(options: MemoryLimitStoreOptions = {}): LimitStore {
  return new MemoryLimitStore(options.now ?? Date.now, options.maxIdentities ?? 50_000);
}

class MemoryLimitStore implements LimitStore {
  readonly kind = 'memory' as const;
  private readonly clock: () => CalendarPeriods & { now: number };
  private readonly counters: LRUCache<string, Counters>;
  /** Identity → lease id → expiry (epoch ms). */
  private readonly streams = new Map<string, Map<string, number>>();

  constructor(
    private readonly now: () => number,
    maxIdentities: number,
  ) {
    this.clock = createPeriodClock(now);
    this.counters = new LRUCache<string, Counters>({ max: maxIdentities });
  }

  async reserveTokens(identity: string, estimate: number, limits: TokenLimits): Promise<TokenReservation> {
    const { entry, usage } = this.current(identity);
    const exceeded = estimate > 0 ? refusal(entry, estimate, limits) : undefined;
    if (exceeded) return { ok: false, exceeded, usage: usage() };
    entry.minute += estimate;
    entry.dayUsed += estimate;
    entry.monthUsed += estimate;
    return { ok: true, usage: usage(), ticket: { identity, reserved: estimate, day: entry.day, month: entry.month } };
  }

  async settleTokens(ticket: TokenTicket, actual: number): Promise<void> {
    const { entry } = this.current(ticket.identity);
    const delta = actual - ticket.reserved;
    entry.minute = Math.max(0, entry.minute + delta);
    if (entry.day === ticket.day) entry.dayUsed = Math.max(0, entry.dayUsed + delta);
    if (entry.month === ticket.month) entry.monthUsed = Math.max(0, entry.monthUsed + delta);
  }

  async acquireStream(identity: string, limit: number, leaseMs: number): Promise<StreamLease> {
    const leases = this.liveLeases(identity);
    const lease = randomUUID();
    if (leases.size >= limit) return { ok: false, active: leases.size, lease };
    leases.set(lease, this.now() + leaseMs);
    this.streams.set(identity, leases);
    return { ok: true, active: leases.size, lease };
  }

  async renewStream(identity: string, lease: string, leaseMs: number): Promise<void> {
    const leases = this.streams.get(identity);
    if (leases?.has(lease)) leases.set(lease, this.now() + leaseMs);
  }

  async releaseStream(identity: string, lease: string): Promise<void> {
    const leases = this.streams.get(identity);
    leases?.delete(lease);
    if (leases?.size === 0) this.streams.delete(identity);
  }

  async readUsage(identity: string): Promise<{ tokens: TokenUsage; streams: number }> {
    return { tokens: this.current(identity).usage(), streams: this.liveLeases(identity).size };
  }

  async close(): Promise<void> {
    this.counters.clear();
    this.streams.clear();
  }

  /** The identity's counters, each period started over when it has ended. */
  private current(identity: string): { entry: Counters; usage: () => TokenUsage } {
    const period = this.clock();
    let entry = this.counters.get(identity);
    if (!entry) {
      entry = { minute: 0, minuteResetsAt: 0, day: period.day, dayUsed: 0, month: period.month, monthUsed: 0 };
      this.counters.set(identity, entry);
    }
    if (entry.minuteResetsAt <= period.now) Object.assign(entry, { minute: 0, minuteResetsAt: period.now + TOKEN_WINDOW_MS });
    if (entry.day !== period.day) Object.assign(entry, { day: period.day, dayUsed: 0 });
    if (entry.month !== period.month) Object.assign(entry, { month: period.month, monthUsed: 0 });
    const counted = entry;
    const usage = (): TokenUsage => ({
      minute: { used: counted.minute, resetsAt: counted.minuteResetsAt },
      day: { used: counted.dayUsed, resetsAt: period.dayEndsAt },
      month: { used: counted.monthUsed, resetsAt: period.monthEndsAt },
    });
    return { entry, usage };
  }

  private liveLeases(identity: string): Map<string, number> {
    const leases = this.streams.get(identity) ?? new Map<string, number>();
    const now = this.now();
    for (const [lease, expiresAt] of leases) if (expiresAt <= now) leases.delete(lease);
    return leases;
  }
}

function refusal(entry: Counters, estimate: number, limits: TokenLimits): 'minute' | 'day' | 'month' | undefined {
  if (limits.perMonth !== undefined && entry.monthUsed >= limits.perMonth) return 'month';
  if (limits.perDay !== undefined && entry.dayUsed >= limits.perDay) return 'day';
  if (limits.perMinute !== undefined && entry.minute > 0 && entry.minute + estimate > limits.perMinute) return 'minute';
  return undefined;
}

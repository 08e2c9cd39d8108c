import type { Principal } from './principal.js';

// The context API's port: server-side conversation sessions (X-Session-Id) as the HTTP layer sees them.
// pipeline/session-memory implements it; http/routes/context.ts serves it.

export type MemoryStrategyName = 'sliding' | 'summary' | 'hybrid';
export const MEMORY_STRATEGY_NAMES: readonly MemoryStrategyName[] = ['sliding', 'summary', 'hybrid'];

/** Header values and path segments that may name a session. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export interface MemorySettings {
  strategy: MemoryStrategyName;
  /** Tokens of history kept (sliding), before folding (summary), or in total with the summary (hybrid). */
  memorySize: number;
  /** Tokens of recent turns sent (sliding, hybrid) or kept verbatim after folding (summary). */
  windowSize: number;
  /**
   * When the window overflows it drops turns in a block, down to this share of its size (0 < lowWater <= 1;
   * 1 drops one turn at a time). Default 0.6 (MEMORY_WINDOW_LOW_WATER), set when the session starts.
   */
  lowWater?: number;
}

export interface SessionView {
  id: string;
  settings: MemorySettings;
  turns: number;
  messages: number;
  /** Estimated prompt tokens of what the next request would carry from history (pinned system, summary, turns). */
  estimatedTokens: number;
  summary?: string;
  summarizedTurns: number;
  /** The model that wrote the summary. */
  summaryModel?: string;
  /** The model of the latest exchange. */
  model?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface SessionDirectory {
  /** NotFoundError when the session does not exist or belongs to another principal. */
  describe(id: string, principal: Principal): Promise<SessionView>;
  /** Creates the session (owned by the principal) or changes its settings; unspecified fields keep their value. */
  configure(id: string, principal: Principal, settings: Partial<MemorySettings>): Promise<{ view: SessionView; created: boolean }>;
  /** NotFoundError as for describe. */
  forget(id: string, principal: Principal): Promise<void>;
}

/** A session as an operator sees it: any owner's, with the owner named (the admin API's sessions routes). */
export interface AdminSessionView extends SessionView {
  /** The principal id (API key id) that owns it. */
  owner: string;
}

/** Operator access to sessions regardless of owner. Lists what this instance has seen (the store cannot enumerate). */
export interface SessionAdmin {
  /** The `limit` most recently written, newest first. */
  list(limit: number): Promise<AdminSessionView[]>;
  /** NotFoundError when missing. */
  inspect(id: string): Promise<AdminSessionView>;
  /** NotFoundError when missing. */
  remove(id: string): Promise<void>;
}

import type { ModelState } from './model-state.js';

/** What every default route handler gets besides the exchange. */
export interface HandlerContext {
  readonly state: ModelState;
  /** Pause between streamed lines (and the equivalent total wait for stream:false). */
  readonly tokenDelayMs: number;
  /** Wait per prompt token evaluated (not read from the KV cache) before the first line. */
  readonly promptTokenDelayMs: number;
  readonly version: string;
}

import { collectResult, foldEvents, replayEvents, type ChatEvent } from '../../core/chat-event.js';
import type { ChatResult } from '../../core/chat-result.js';
import { untilAborted } from '../../shared/until-aborted.js';

// One upstream call followed by every identical request that arrives while it runs (request coalescing).
// The call has its own AbortSignal: it is cancelled only when the last caller has gone, not when the first does.

/** What a caller sees of a shared call, in the shape it asked for. */
export interface SharedCall {
  /** Follows the call as a non-streamed caller; rejects with the signal's reason if this caller goes away. */
  result(signal: AbortSignal): Promise<ChatResult>;
  /** Follows the call as a streaming caller; a late joiner first gets every event so far. */
  events(signal: AbortSignal): AsyncGenerator<ChatEvent>;
}

abstract class Participants {
  readonly controller = new AbortController();
  /** Nothing left to cancel: the call settled, or its stream already delivered `finish`. */
  protected isComplete = false;
  private count = 0;

  protected enter(): void {
    this.count++;
  }

  protected leave(): void {
    this.count--;
    if (this.count === 0 && !this.isComplete) this.controller.abort(new Error('every caller of the shared call went away'));
  }
}

/** A non-streamed upstream call: stream joiners get the result replayed as events. */
export class SharedResultCall extends Participants implements SharedCall {
  private readonly promise: Promise<ChatResult>;

  constructor(run: (signal: AbortSignal) => Promise<ChatResult>, onSettled: () => void) {
    super();
    this.promise = run(this.controller.signal).finally(() => {
      this.isComplete = true;
      onSettled();
    });
    // Rejections reach the callers through result(); this keeps an abandoned call from being "unhandled".
    this.promise.catch(() => undefined);
  }

  async result(signal: AbortSignal): Promise<ChatResult> {
    this.enter();
    try {
      return await untilAborted(this.promise, signal);
    } finally {
      this.leave();
    }
  }

  async *events(signal: AbortSignal): AsyncGenerator<ChatEvent> {
    yield* replayEvents(await this.result(signal));
  }
}

/** A streamed upstream call, read eagerly into a log that every caller replays at its own pace. */
export class SharedEventCall extends Participants implements SharedCall {
  private readonly log: ChatEvent[] = [];
  private failure: { error: unknown } | undefined;
  private isEnded = false;
  private wakers: Array<() => void> = [];

  constructor(
    run: (signal: AbortSignal) => AsyncIterable<ChatEvent>,
    /** Called with the whole result before `finish` is released to callers (the cache write). */
    onFinish: (result: ChatResult) => Promise<void>,
    onSettled: () => void,
  ) {
    super();
    void this.pump(run(this.controller.signal), onFinish).finally(() => {
      this.isEnded = true;
      this.isComplete = true;
      onSettled();
      this.wake();
    });
  }

  result(signal: AbortSignal): Promise<ChatResult> {
    return collectResult(this.events(signal));
  }

  async *events(signal: AbortSignal): AsyncGenerator<ChatEvent> {
    this.enter();
    try {
      let index = 0;
      for (;;) {
        while (index < this.log.length) yield this.log[index++]!;
        if (this.isEnded) {
          if (this.failure) throw this.failure.error;
          return;
        }
        await untilAborted(new Promise<void>((resolve) => this.wakers.push(resolve)), signal);
      }
    } finally {
      this.leave();
    }
  }

  private async pump(upstream: AsyncIterable<ChatEvent>, onFinish: (result: ChatResult) => Promise<void>): Promise<void> {
    try {
      for await (const event of upstream) {
        if (event.type === 'finish') await onFinish(foldEvents(this.log.concat(event))!);
        this.log.push(event);
        if (event.type === 'finish') this.isComplete = true;
        this.wake();
      }
    } catch (error) {
      this.failure = { error };
    }
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }
}


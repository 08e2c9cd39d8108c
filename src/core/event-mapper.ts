// A stream translation written one event at a time. A writer that pulls events itself (http/sse.ts) calls it in
// its own loop, which costs no async step per event; mapEvents() turns it into an async generator for others.

export interface EventMapper<E, F> {
  /** Appends what `event` becomes to `out`; true when the output is complete (nothing more is read). */
  map(event: E, out: F[]): boolean;
  /** The events ended without `map` returning true: throw if that is an error, or append final items. */
  end(out: F[]): void;
}

export async function* mapEvents<E, F>(events: AsyncIterable<E>, mapper: EventMapper<E, F>): AsyncGenerator<F> {
  const out: F[] = [];
  for await (const event of events) {
    const isComplete = mapper.map(event, out);
    for (const item of out) yield item;
    out.length = 0;
    if (isComplete) return;
  }
  mapper.end(out);
  for (const item of out) yield item;
}

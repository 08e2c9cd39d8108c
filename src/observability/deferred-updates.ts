// Metric updates made on every request, kept as plain numbers and handed to prom-client when the registry is
// read (each deferred metric's collect hook runs before a scrape) or once many are waiting. prom-client's
// inc() and observe() validate and hash their labels on every call: about 4 % of a cache hit's CPU.

export interface Incrementable {
  inc(value?: number): void;
}
export interface Observable {
  observe(value: number): void;
}

/** Updates waiting at most this many before they are applied anyway (bounded memory without scrapes). */
const MAX_WAITING = 10_000;

export interface DeferredUpdates {
  inc(counter: Incrementable, value?: number): void;
  observe(histogram: Observable, value: number): void;
  /** Applies everything waiting; the collect hook of every deferred metric. */
  flush(): void;
}

export function createDeferredUpdates(): DeferredUpdates {
  const counts = new Map<Incrementable, number>();
  const observations = new Map<Observable, number[]>();
  let waiting = 0;
  const flush = () => {
    waiting = 0;
    for (const [counter, value] of counts) counter.inc(value);
    counts.clear();
    for (const [histogram, values] of observations) for (const value of values) histogram.observe(value);
    observations.clear();
  };
  return {
    inc(counter, value = 1) {
      counts.set(counter, (counts.get(counter) ?? 0) + value);
      if (++waiting >= MAX_WAITING) flush();
    },
    observe(histogram, value) {
      const values = observations.get(histogram);
      if (values) values.push(value);
      else observations.set(histogram, [value]);
      if (++waiting >= MAX_WAITING) flush();
    },
    flush,
  };
}

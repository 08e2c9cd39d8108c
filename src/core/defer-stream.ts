/**
 * An event stream whose set-up is asynchronous (resolve a model, look up a cache entry) and which then hands
 * over to another stream. Unlike `async function* () { yield* inner }`, the inner iterator's promises are
 * returned as they are: no extra generator hop per event, which matters at one event per streamed token.
 */
export function deferStream<T>(start: () => Promise<AsyncIterable<T>>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      let inner: AsyncIterator<T> | undefined;
      let opening: Promise<AsyncIterator<T>> | undefined;
      const open = (): Promise<AsyncIterator<T>> =>
        (opening ??= start().then((iterable) => (inner = iterable[Symbol.asyncIterator]())));
      return {
        next: () => (inner ? inner.next() : open().then((iterator) => iterator.next())),
        async return(value?: unknown): Promise<IteratorResult<T>> {
          if (!inner && opening) await opening.catch(() => undefined);
          if (inner?.return) return inner.return(value);
          return { done: true, value: value as T };
        },
      };
    },
  };
}

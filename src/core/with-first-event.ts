/**
 * Waits for the stream's first event so that a 404 (raised when the upstream call is made) can be explained
 * before any byte is sent; later events pass through with one extra call each and no generator hop.
 */
export async function withFirstEvent<E>(events: AsyncIterable<E>, explain: (error: unknown) => Promise<never>): Promise<AsyncIterable<E>> {
  const iterator = events[Symbol.asyncIterator]();
  let first: IteratorResult<E>;
  try {
    first = await iterator.next();
  } catch (error) {
    return explain(error);
  }
  let isFirstTaken = false;
  const rest: AsyncIterator<E> = {
    next: () => {
      if (isFirstTaken) return iterator.next();
      isFirstTaken = true;
      return Promise.resolve(first);
    },
    return: (value?: unknown) => (iterator.return ? iterator.return(value) : Promise.resolve({ done: true, value: value as E })),
  };
  return { [Symbol.asyncIterator]: () => rest };
}

import { describe, expect, it } from 'vitest';
import { createSessionIndex } from '../../../../src/pipeline/session-memory/session-index.js';
import { createMemoryKvStore } from '../../../../src/stores/memory-kv-store.js';

// The admin list of sessions comes from watching the session store's writes (the store cannot list its keys).

describe('createSessionIndex', () => {
  it('records session writes, newest first, and forgets deleted sessions', async () => {
    const index = createSessionIndex();
    const kv = index.observe(createMemoryKvStore({ maxEntries: 100 }));
    await kv.set('session:a', '{}', 60_000);
    await kv.set('session:b', '{}', 60_000);
    await kv.set('session:a', '{}', 60_000);
    expect(index.ids()).toEqual(['a', 'b']);
    await kv.delete('session:a');
    expect(index.ids()).toEqual(['b']);
    expect(await kv.get('session:b')).toBe('{}');
  });

  it('ignores other keys on the same store, such as session locks', async () => {
    const index = createSessionIndex();
    const kv = index.observe(createMemoryKvStore({ maxEntries: 100 }));
    await kv.setIfAbsent('session-lock:a', 'owner', 1_000);
    await kv.set('cache:x', 'y');
    expect(index.ids()).toEqual([]);
    expect(await kv.setIfAbsent('session:c', '{}')).toBe(true);
    expect(index.ids()).toEqual(['c']);
  });

  it('stays bounded, dropping the least recently written', async () => {
    const index = createSessionIndex({ maxEntries: 2 });
    const kv = index.observe(createMemoryKvStore({ maxEntries: 100 }));
    for (const id of ['a', 'b', 'c']) await kv.set(`session:${id}`, '{}');
    expect(index.ids()).toEqual(['c', 'b']);
  });

  it('keeps the store kind, so session locking still knows a memory store', () => {
    const kv = createSessionIndex().observe(createMemoryKvStore({ maxEntries: 1 }));
    expect(kv.kind).toBe('memory');
  });
});

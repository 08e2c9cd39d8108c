import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createKvStore } from '../../src/stores/create-kv-store.js';
import { createSqliteKvStore } from '../../src/stores/sqlite-kv-store.js';
import { kvStoreContract } from './kv-store.contract.js';

const root = mkdtempSync(join(tmpdir(), 'sqlite-kv-store-'));
let counter = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const T0 = 1_700_000_000_000;
const nextPath = (): string => join(root, `kv-${++counter}.db`);

function countRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM kv').get()!.n;
  } finally {
    db.close();
  }
}

kvStoreContract('sqlite', async () => {
  let clock = T0;
  return {
    store: await createSqliteKvStore({ path: nextPath(), now: () => clock }),
    advance: (ms) => {
      clock += ms;
    },
    cleanup: () => undefined,
  };
});

describe('SQLite KvStore', () => {
  it('creates its database file, and missing folders, readable only by its owner', async () => {
    const path = join(root, 'fresh', 'nested', 'kv.db');
    const store = await createSqliteKvStore({ path });
    await store.set('k', 'v');
    await store.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('keeps values and their deadlines across a reopen', async () => {
    const path = nextPath();
    let clock = T0;
    const first = await createSqliteKvStore({ path, now: () => clock });
    await first.set('forever', 'f');
    await first.set('brief', 'b', 1000);
    await first.close();

    const second = await createSqliteKvStore({ path, now: () => clock });
    expect([await second.get('forever'), await second.get('brief')]).toEqual(['f', 'b']);
    clock += 1001;
    expect([await second.get('forever'), await second.get('brief')]).toEqual(['f', undefined]);
    await second.close();
  });

  it('deletes expired rows on a write once the sweep interval has passed', async () => {
    const path = nextPath();
    let clock = T0;
    const store = await createSqliteKvStore({ path, now: () => clock, sweepIntervalMs: 60_000 });
    await store.set('old-1', 'x', 1000);
    await store.set('old-2', 'x', 1000);
    await store.set('keep', 'x');
    clock += 2000;
    await store.set('new', 'x');
    expect(countRows(path)).toBe(4);
    clock += 60_000;
    await store.set('newer', 'x');
    expect(countRows(path)).toBe(3);
    await store.close();
  });

  it('lets only one of two connections to the same file take a key', async () => {
    const path = nextPath();
    const [a, b] = await Promise.all([createSqliteKvStore({ path }), createSqliteKvStore({ path })]);
    expect(await a.setIfAbsent('lock', 'a', 10_000)).toBe(true);
    expect(await b.setIfAbsent('lock', 'b', 10_000)).toBe(false);
    expect(await b.get('lock')).toBe('a');
    await Promise.all([a.close(), b.close()]);
  });

  it('is what createKvStore builds for { kind: "sqlite" }', async () => {
    const path = nextPath();
    const store = await createKvStore({ kind: 'sqlite', path });
    await store.set('k', 'v');
    await store.close();
    expect(store.kind).toBe('sqlite');
    expect(countRows(path)).toBe(1);
  });
});

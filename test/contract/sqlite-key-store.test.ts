import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyStore } from '../../src/stores/create-key-store.js';
import { createSqliteKeyStore } from '../../src/stores/sqlite-key-store.js';
import { keyStoreContract, makeRecord } from './key-store.contract.js';

const root = mkdtempSync(join(tmpdir(), 'sqlite-key-store-'));
let counter = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

keyStoreContract('sqlite', () => createSqliteKeyStore({ path: join(root, `store-${++counter}.db`) }));

describe('SQLite key store', () => {
  it('creates DATA_DIR and a database file only its owner can read', async () => {
    const dataDir = join(root, 'fresh', 'data');
    const store = await createKeyStore({ dataDir });
    await store.create(makeRecord());
    await store.close();
    expect(statSync(join(dataDir, 'proxy.db')).mode & 0o777).toBe(0o600);
  });

  it('keeps keys across restarts and does not re-run migrations', async () => {
    const path = join(root, 'restart.db');
    const first = await createSqliteKeyStore({ path });
    await first.create(makeRecord({ id: 'key_keep' }));
    await first.close();
    const second = await createSqliteKeyStore({ path });
    expect((await second.get('key_keep'))?.id).toBe('key_keep');
    await second.close();
  });

  it('lets two connections open the same file at once (server and CLI)', async () => {
    const path = join(root, 'shared.db');
    const [a, b] = await Promise.all([createSqliteKeyStore({ path }), createSqliteKeyStore({ path })]);
    await a.create(makeRecord({ id: 'key_shared' }));
    expect((await b.get('key_shared'))?.id).toBe('key_shared');
    await Promise.all([a.close(), b.close()]);
  });
});

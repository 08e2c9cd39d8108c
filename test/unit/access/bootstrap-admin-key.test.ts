import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapAdminKey, describeBootstrappedKey } from '../../../src/access/bootstrap-admin-key.js';
import { createKeyService, type KeyService } from '../../../src/access/key-service.js';
import { ALL_SCOPES } from '../../../src/core/principal.js';
import type { KeyStore } from '../../../src/stores/key-store.js';
import { createSqliteKeyStore } from '../../../src/stores/sqlite-key-store.js';

const root = mkdtempSync(join(tmpdir(), 'bootstrap-'));
let dataDir: string;
let store: KeyStore;
let keys: KeyService;
let run = 0;

beforeEach(async () => {
  dataDir = join(root, `data-${++run}`);
  store = await createSqliteKeyStore({ path: ':memory:' });
  keys = createKeyService({ store });
});
afterEach(() => store.close());
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('bootstrapAdminKey', () => {
  it('creates an admin key with every scope and saves its secret in DATA_DIR/admin.key (0600)', async () => {
    const result = await bootstrapAdminKey({ keys, dataDir });
    expect(result).not.toBeNull();
    const path = join(dataDir, 'admin.key');
    expect(result?.path).toBe(path);
    expect(readFileSync(path, 'utf8').trim()).toBe(result?.secret);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const record = await keys.authenticateSecret(result!.secret);
    expect(record?.scopes).toEqual([...ALL_SCOPES]);
  });

  it('does nothing when a key already exists', async () => {
    await keys.createKey({ name: 'existing', scopes: 'chat' });
    expect(await bootstrapAdminKey({ keys, dataDir })).toBeNull();
    expect(await keys.countKeys()).toBe(1);
  });

  it('does nothing when MASTER_KEY is set', async () => {
    expect(await bootstrapAdminKey({ keys, dataDir, masterKey: 'configured-master' })).toBeNull();
    expect(await keys.countKeys()).toBe(0);
  });

  it('replaces a stale, world-readable admin.key with a private one', async () => {
    const path = join(dataDir, 'admin.key');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path, 'old');
    chmodSync(path, 0o644);
    const result = await bootstrapAdminKey({ keys, dataDir });
    expect(readFileSync(path, 'utf8').trim()).toBe(result?.secret);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe('describeBootstrappedKey', () => {
  it('shows the secret, where it is saved and how to use it', () => {
    const text = describeBootstrappedKey({ keyId: 'key_x', secret: 'sk-secret', path: '/d/admin.key' }, 'http://127.0.0.1:8000');
    expect(text).toContain('sk-secret');
    expect(text).toContain('/d/admin.key');
    expect(text).toContain('Authorization: Bearer');
  });
});

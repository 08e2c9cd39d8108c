import { join } from 'node:path';
import type { KeyStore } from './key-store.js';

export interface CreateKeyStoreOptions {
  dataDir: string;
  /** postgres:// URL; when set, keys live in PostgreSQL so several instances share them. */
  databaseUrl?: string;
  onError?: (error: Error) => void;
}

export const SQLITE_KEY_STORE_FILE = 'proxy.db';

/** Adapters are imported on demand so a deployment loads only the database driver it uses. */
export async function createKeyStore(options: CreateKeyStoreOptions): Promise<KeyStore> {
  if (options.databaseUrl !== undefined) {
    const { createPostgresKeyStore } = await import('./postgres-key-store.js');
    return createPostgresKeyStore({
      connectionString: options.databaseUrl,
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
  }
  const { createSqliteKeyStore } = await import('./sqlite-key-store.js');
  return createSqliteKeyStore({ path: join(options.dataDir, SQLITE_KEY_STORE_FILE) });
}

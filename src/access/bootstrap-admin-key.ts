import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ALL_SCOPES } from '../core/principal.js';
import type { KeyService } from './key-service.js';

// First start without MASTER_KEY and without any key: make an admin key so `npm start` gives a protected
// server that its owner can still use. The secret goes to DATA_DIR/admin.key (0600) and is printed once, and
// only to an interactive terminal: a piped or redirected stdout is a log stream (journald, docker logs, a file),
// so there only the path of the file is logged.

export const ADMIN_KEY_FILE = 'admin.key';

export interface BootstrapAdminKeyOptions {
  keys: KeyService;
  dataDir: string;
  masterKey?: string;
}

export interface BootstrappedAdminKey {
  keyId: string;
  secret: string;
  path: string;
}

export async function bootstrapAdminKey(options: BootstrapAdminKeyOptions): Promise<BootstrappedAdminKey | null> {
  if (options.masterKey !== undefined && options.masterKey !== '') return null;
  if ((await options.keys.countKeys()) > 0) return null;
  // createFirstKey is atomic: of several instances starting together on one database, only one creates it.
  const created = await options.keys.createFirstKey({
    name: 'admin (created at first start)',
    scopes: ALL_SCOPES,
    metadata: { createdBy: 'bootstrap' },
  });
  if (created === null) return null;
  const { key, secret } = created;
  const path = join(options.dataDir, ADMIN_KEY_FILE);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  // A stale file from an earlier store may have looser permissions; never write the secret into it.
  await rm(path, { force: true });
  await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return { keyId: key.id, secret, path };
}

/** What a non-interactive start says instead of the notice: where the secret is, never the secret. */
export function describeBootstrappedKeyLocation(bootstrapped: BootstrappedAdminKey): { message: string; keyId: string; path: string } {
  return {
    message: 'no API keys existed, so an admin key was created; its secret is in the file at path (readable only by this user)',
    keyId: bootstrapped.keyId,
    path: bootstrapped.path,
  };
}

/** The one-time notice for the terminal (not the log: logs must never hold a secret). */
export function describeBootstrappedKey(bootstrapped: BootstrappedAdminKey, baseUrl: string): string {
  return [
    'No API keys existed, so an admin key was created (shown only this once):',
    '',
    `    ${bootstrapped.secret}`,
    '',
    `It is also saved in ${bootstrapped.path} (readable only by you). Use it as a bearer token:`,
    `    curl ${baseUrl}/v1/models -H "Authorization: Bearer $(cat ${bootstrapped.path})"`,
    'Create keys for your apps with `npx ollama-openai-proxy keys create --name app --scopes chat,models:read`',
    `or POST ${baseUrl}/api/v1/keys, and delete ${bootstrapped.path} once the secret is stored elsewhere.`,
  ].join('\n');
}

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SQLITE_KEY_STORE_FILE } from '../stores/create-key-store.js';
import { CliUsageError } from './cli-command.js';

// Where the CLI finds the server's key store and the running server: the same settings the server reads,
// wherever the CLI is started from, and said out loud (on stderr) so nobody edits a store they did not mean to.

type Env = Record<string, string | undefined>;

export interface ServerLocation {
  url: string;
  /** '--url', 'PROXY_URL', 'HOST/PORT' or 'default'. */
  source: string;
}

/** --url, else PROXY_URL, else the HOST and PORT the server listens on (0.0.0.0 / :: are reached on loopback). */
export function locateServer(env: Env, flagUrl?: string): ServerLocation {
  if (flagUrl !== undefined) return { url: flagUrl, source: '--url' };
  if (env.PROXY_URL) return { url: env.PROXY_URL, source: 'PROXY_URL' };
  if (!env.HOST && !env.PORT) return { url: 'http://127.0.0.1:8000', source: 'default' };
  const host = env.HOST === undefined || env.HOST === '' || env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST === '::' ? '::1' : env.HOST;
  const port = env.PORT || '8000';
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, source: 'HOST/PORT' };
}

export interface DataDirLocation {
  dir: string;
  /** '--data-dir', 'DATA_DIR', 'found' (a parent folder's data/) or 'project' (./data of the project root). */
  source: string;
}

/**
 * The data directory the server uses: --data-dir, else DATA_DIR (relative to the working directory, as the server
 * reads it), else the nearest `data/` holding a key store in this folder or a parent, else `./data` when this is the
 * project's own folder. Anywhere else it refuses rather than create an empty store nobody's server reads.
 */
export function locateDataDir(env: Env, cwd: string, flagDataDir?: string): DataDirLocation {
  if (flagDataDir !== undefined) return { dir: resolve(cwd, flagDataDir), source: '--data-dir' };
  if (env.DATA_DIR) return { dir: resolve(cwd, env.DATA_DIR), source: 'DATA_DIR' };
  for (let folder = resolve(cwd); ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'data', SQLITE_KEY_STORE_FILE))) return { dir: join(folder, 'data'), source: 'found' };
    if (isProjectRoot(folder)) return { dir: join(folder, 'data'), source: 'project' };
    if (dirname(folder) === folder) break;
  }
  // Keys live in PostgreSQL: the folder holds at most jwt.secret, as it would for the server started here.
  if (env.DATABASE_URL) return { dir: resolve(cwd, 'data'), source: 'default' };
  throw new CliUsageError(
    `No key store found: there is no data/${SQLITE_KEY_STORE_FILE} in ${resolve(cwd)} or any folder above it. ` +
      'Run the CLI in the folder the server runs in, or pass --data-dir DIR (or set DATA_DIR) to use or create a store there.',
    '',
  );
}

function isProjectRoot(folder: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: unknown }).name === 'ollama-openai-proxy';
  } catch {
    return false;
  }
}

/** "SQLite /srv/proxy/data/proxy.db" or "PostgreSQL postgres://proxy@db:5432/keys" (password hidden). */
export function describeKeyStore(env: Env, dataDir: string): string {
  if (env.DATABASE_URL) return `PostgreSQL ${env.DATABASE_URL.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}`;
  return `SQLite ${join(dataDir, SQLITE_KEY_STORE_FILE)}`;
}

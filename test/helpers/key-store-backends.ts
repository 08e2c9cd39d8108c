import { randomBytes } from 'node:crypto';
import pg from 'pg';

// The key-related HTTP suites run once per key store: embedded SQLite (DATA_DIR) and the machine's real
// PostgreSQL (DATABASE_URL). Each PostgreSQL app gets its own schema through the URL's search_path, so test
// files and parallel runs never share keys; the schemas are dropped by dropSchemas(). Unreachable
// PostgreSQL: skipped with a printed reason, or a failing test when CI is set.

export interface KeyStoreBackend {
  name: 'sqlite' | 'postgres';
  /** Environment for one app instance on this backend (a fresh, empty store each call unless `shareWith`). */
  env(shareWith?: Record<string, string>): Promise<Record<string, string>>;
}

const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `t_access_${randomBytes(4).toString('hex')}`;
const schemas: string[] = [];

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probePostgres(): Promise<string | null> {
  try {
    await withClient((client) => client.query('SELECT 1'));
    return null;
  } catch (error) {
    return `PostgreSQL at ${PG_URL.replace(/\/\/[^@]*@/, '//…@')} is unreachable (${(error as Error).message})`;
  }
}

const sqlite: KeyStoreBackend = { name: 'sqlite', env: async (shareWith) => (shareWith ? { ...shareWith } : {}) };

const postgres: KeyStoreBackend = {
  name: 'postgres',
  async env(shareWith) {
    if (shareWith) return { ...shareWith };
    const schema = `${run}_${schemas.length}`;
    schemas.push(schema);
    await withClient((client) => client.query(`CREATE SCHEMA "${schema}"`));
    const separator = PG_URL.includes('?') ? '&' : '?';
    return { DATABASE_URL: `${PG_URL}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}` };
  },
};

/** The backends to run on. Call once per test file (top-level await). */
export async function keyStoreBackends(): Promise<KeyStoreBackend[]> {
  const unreachable = await probePostgres();
  if (unreachable === null) return [sqlite, postgres];
  if (process.env.CI) {
    return [sqlite, { name: 'postgres', env: () => Promise.reject(new Error(`needs a reachable PostgreSQL on CI: ${unreachable}`)) }];
  }
  console.warn(`Skipping the PostgreSQL runs of the access-control HTTP suites: ${unreachable}. Set DATABASE_URL to run them.`);
  return [sqlite];
}

export async function dropSchemas(): Promise<void> {
  if (schemas.length === 0) return;
  await withClient(async (client) => {
    for (const schema of schemas.splice(0)) await dropSchema(client, schema);
  });
}

/** PostgreSQL may pick the DROP as a deadlock victim while a session of a stopping server still holds a lock: retry. */
async function dropSchema(client: pg.Client, schema: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01' || attempt === 5) throw error;
    }
  }
}

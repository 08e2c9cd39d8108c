import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresKeyStore } from '../../src/stores/postgres-key-store.js';
import { KEY_STORE_MIGRATIONS } from '../../src/stores/key-store-migrations.js';
import { keyStoreContract, makeRecord } from './key-store.contract.js';

// Runs against the machine's real PostgreSQL. Every store gets its own schema (t_<run>_<n>) so parallel runs
// never collide; all of them are dropped at the end. Unreachable → skipped with a reason, or a failure on CI.

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `t_${randomBytes(4).toString('hex')}`;
const schemas: string[] = [];

async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `PostgreSQL at ${url.replace(/\/\/[^@]*@/, '//…@')} is unreachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function nextSchema(): string {
  const schema = `${run}_${schemas.length}`;
  schemas.push(schema);
  return schema;
}

const unreachable = await probe();

if (unreachable === null) {
  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  keyStoreContract('postgres', () => createPostgresKeyStore({ connectionString: url, schema: nextSchema(), maxConnections: 2 }));

  describe('PostgreSQL key store', () => {
    it('migrates once when several instances start at the same moment', async () => {
      const schema = nextSchema();
      const stores = await Promise.all(
        [1, 2, 3].map(() => createPostgresKeyStore({ connectionString: url, schema, maxConnections: 1 })),
      );
      await stores[0]!.create(makeRecord({ id: 'key_shared' }));
      expect((await stores[2]!.get('key_shared'))?.id).toBe('key_shared');
      await Promise.all(stores.map((store) => store.close()));

      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const result = await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_version`);
      await client.end();
      expect(result.rows).toEqual([{ version: KEY_STORE_MIGRATIONS.length }]);
    });
  });
} else if (process.env.CI) {
  describe('PostgreSQL key store', () => {
    it('needs a reachable PostgreSQL on CI', () => {
      throw new Error(unreachable);
    });
  });
} else {
  console.warn(`Skipping the PostgreSQL key store suite: ${unreachable}. Set DATABASE_URL to run it.`);
  describe.skip(`PostgreSQL key store (${unreachable})`, () => {
    it('runs the contract suite', () => undefined);
  });
}

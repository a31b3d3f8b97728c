import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';

/** The maintenance database test databases are created from and dropped through. */
export const POSTGRES_ADMIN_URL = process.env.OPENLEAN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Which store the suite runs against: `npm test` runs it once per dialect (test/run-postgres.ts). */
export const TEST_DIALECT: 'sqlite' | 'postgres' = process.env.OPENLEAN_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDatabase {
  url: string;
  /** Removes the database (SQLite files go with the data directory). */
  drop(): Promise<void>;
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database for one test server: a file in `dataDir` on SQLite, a new database on
 * PostgreSQL (a database rather than a schema, so each has its own migration table and lock).
 */
export async function createTestDatabase(dataDir: string): Promise<TestDatabase> {
  if (TEST_DIALECT === 'sqlite') return { url: `sqlite:${path.join(dataDir, 'openlean.db')}`, drop: async () => {} };
  const name = `openlean_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      admin(async (c) => {
        // pg's Pool.end() resolves before its connections have closed; dropping at once would kill
        // them mid-goodbye and their error would surface in whichever test runs next.
        for (let i = 0; i < 100; i++) {
          const open = await c.query('select 1 from pg_stat_activity where datname = $1', [name]);
          if (open.rowCount === 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }),
  };
}

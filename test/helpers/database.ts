import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate, openStore, type Store } from '../../src/store/database.ts';
import { eventually } from './eventually.ts';

/** The maintenance database test databases are created from and dropped through. */
export const POSTGRES_ADMIN_URL = process.env.OPENLEAN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Which store a suite runs against; store suites run once per dialect (`describeDialects`, ./dialects.ts). */
export type Dialect = Store['dialect'];

export interface TestDatabase {
  url: string;
  /** Removes the database (SQLite files go with the data directory). */
  drop(): Promise<void>;
}

/** Runs `run` on a connection to `url`, closed afterwards. */
export async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
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
export async function createTestDatabase(dataDir: string, dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') return { url: `sqlite:${path.join(dataDir, 'openlean.db')}`, drop: async () => {} };
  return createPostgresDatabase(POSTGRES_ADMIN_URL, 'openlean_test');
}

/** A new, empty PostgreSQL database named `<prefix>_<random>`, created and dropped through `adminUrl`. */
export async function createPostgresDatabase(adminUrl: string, prefix: string): Promise<TestDatabase> {
  const admin = <T>(run: (client: pg.Client) => Promise<T>) => withClient(adminUrl, run);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      admin(async (c) => {
        // pg's Pool.end() resolves before its connections have closed; dropping at once would kill
        // them mid-goodbye and their error would surface in whichever test runs next.
        // After a while, FORCE ends whatever is left.
        await eventually(`the connections to ${name} closed`, async () => (await c.query('select 1 from pg_stat_activity where datname = $1', [name])).rowCount === 0, 2000).catch(() => {});
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }),
  };
}

/** A migrated store on a fresh test database in a new temporary directory; `close` removes all three. */
export async function openTestStore(prefix: string, dialect: Dialect): Promise<{ store: Store; dir: string; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const database = await createTestDatabase(dir, dialect);
  const store = openStore(database.url);
  await migrate(store);
  return {
    store,
    dir,
    async close() {
      await store.close();
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

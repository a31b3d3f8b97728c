import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type Compilable } from 'kysely';
import { Migrator } from 'kysely/migration';
import { MIGRATIONS } from './migrations/index.ts';
import type { SandboxDB } from './schema.ts';

const STATE_FILE = 'sandbox-banks.db';

/**
 * The state file, migrated, with its queries built by Kysely against `SandboxDB` and run
 * synchronously: the banks' routes and oidc-provider's adapter read and write state inline, and
 * better-sqlite3 answers without a round trip, so nothing here needs a promise once the file is open.
 */
export interface StateDatabase {
  /** Builds queries; only `compile()` them, the file is read and written through the methods below. */
  db: Kysely<SandboxDB>;
  all<R>(query: Compilable<R>): R[];
  first<R>(query: Compilable<R>): R | undefined;
  /** Runs a write; the number of rows it changed. */
  run(query: Compilable<unknown>): number;
  close(): void;
}

/** Opens `sandbox-banks.db` in `dataDir`, creating it if needed, and brings it to the latest migration. */
export async function openStateDatabase(dataDir: string): Promise<StateDatabase> {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = new SQLite(path.join(dataDir, STATE_FILE));
  file.pragma('busy_timeout = 5000');
  file.pragma('journal_mode = WAL');
  file.pragma('synchronous = NORMAL');
  const db = new Kysely<SandboxDB>({ dialect: new SqliteDialect({ database: file }) });
  try {
    await migrate(file, db);
  } catch (err) {
    file.close();
    throw err;
  }

  // One statement per query shape: the shapes are the fixed queries of state.ts.
  const statements = new Map<string, SQLite.Statement>();
  const statement = (query: Compilable<unknown>) => {
    const { sql, parameters } = query.compile();
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = file.prepare(sql);
      statements.set(sql, stmt);
    }
    return { stmt, parameters };
  };
  return {
    db,
    all<R>(query: Compilable<R>) {
      const { stmt, parameters } = statement(query);
      return stmt.all(parameters) as R[];
    },
    first<R>(query: Compilable<R>) {
      const { stmt, parameters } = statement(query);
      return stmt.get(parameters) as R | undefined;
    },
    run(query) {
      const { stmt, parameters } = statement(query);
      return stmt.run(parameters).changes;
    },
    close: () => file.close(),
  };
}

/**
 * Kysely's migrator, as openlean's store runs it. Several processes may open one state file at
 * once, and Kysely does not lock migrations on SQLite: holding the file's write lock for the whole
 * run makes them take turns, and leaves the file as it was if a migration fails.
 */
async function migrate(file: SQLite.Database, db: Kysely<SandboxDB>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  file.exec('BEGIN IMMEDIATE');
  const { error } = await migrator.migrateToLatest().catch((err: unknown) => ({ error: err }));
  file.exec(error ? 'ROLLBACK' : 'COMMIT');
  if (error) throw error;
}

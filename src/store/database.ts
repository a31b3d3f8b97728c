import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { Migrator, type MigrationResultSet } from 'kysely/migration';
import { EntityCache } from './entity-cache.ts';
import { followEntityChanges } from './entity-changes.ts';
import { isPostgresUrl, sqliteFile } from './database-url.ts';
import { compilePrepared, type CompiledPrepared, type PreparedQuery } from './prepared.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { stablePlaceholders } from './sqlite-placeholders.ts';
import type { DB } from './schema.ts';

/**
 * The store's two handles. `db` writes (and reads inside write transactions); `read` serves the
 * API. On SQLite they are separate connections, so WAL lets reads proceed during a refresh's write
 * transaction and they only ever see committed data. On PostgreSQL both are the same pool: MVCC
 * already gives reads that.
 */
export interface Store {
  dialect: 'sqlite' | 'postgres';
  db: Kysely<DB>;
  read: Kysely<DB>;
  /** Entity rows of the read path; writers report committed entity changes to it. */
  entities: EntityCache;
  /** Runs a prepared hot read on the read connection. */
  query<P extends Record<string, unknown>, R>(query: PreparedQuery<P, R>, params: P): Promise<R[]>;
  /** `query`, synchronously: only where the database answers in process (SQLite), for the cached fast path of reads. */
  queryNow?<P extends Record<string, unknown>, R>(query: PreparedQuery<P, R>, params: P): R[];
  /**
   * Runs the write `sql` once per parameter list of `rows`, synchronously, on the connection `db`
   * writes through; SQLite only (undefined on PostgreSQL, where each statement is a round trip and
   * a batch of rows goes in one). There a prepared row at a time is the fastest bulk write, and
   * Kysely's own work per statement cost a quarter of a bulk write's time (bench:ingest). Call it
   * only inside a transaction of `db`: that transaction holds the connection, so the rows join it
   * and no other query of `db` runs meanwhile. Throws what SQLite throws.
   */
  runEach?(sql: string, rows: readonly (readonly unknown[])[]): void;
  close(): Promise<void>;
}

/**
 * better-sqlite3 compiles a statement on every `prepare`; Kysely prepares per query. Caching
 * statements by SQL text makes repeated queries skip SQLite's parser, which dominates small reads,
 * and their placeholders are written so that binding new values does not make SQLite compile them
 * again (`stablePlaceholders`).
 */
function withStatementCache(database: SQLite.Database, capacity = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string): SQLite.Statement {
      // Kysely begins a transaction with a deferred `begin`. A deferred transaction that read and
      // then writes fails at once (SQLITE_BUSY, the busy timeout not consulted) when another
      // connection wrote in between, such as the audit trail's writer thread or a CLI command:
      // taking the write lock up front makes it wait its turn instead.
      const sql = text === 'begin' ? 'begin immediate' : text;
      let stmt = cache.get(sql);
      if (stmt) return stmt;
      stmt = database.prepare(stablePlaceholders(sql));
      if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
      cache.set(sql, stmt);
      return stmt;
    },
  };
}

function openSqlite(file: string, readonly: boolean): SQLite.Database {
  const database = new SQLite(file, { readonly });
  database.pragma('busy_timeout = 5000');
  // SQLite reads a long value's overflow pages with a system call each, past its page cache; mapped,
  // a 60 KB transactions chunk is read without one (docs/decisions/024). Only the reader maps: an
  // I/O error on a mapped file arrives as a signal, better kept off the connection that writes.
  if (readonly) database.pragma('mmap_size = 1073741824');
  if (!readonly) for (const pragma of SQLITE_WRITER_PRAGMAS) database.pragma(pragma);
  return database;
}

/**
 * How the connection that writes a SQLite store runs (and bench/ingest.ts's raw baseline with it):
 * WAL, so reads go on during a write; no fsync at every commit (WAL's `NORMAL`); foreign keys
 * enforced; and a page cache of 64 MiB (default 2 MiB), which a refresh of 30 k transactions fills
 * (~50 MB of pages): with the default, SQLite spills pages to the WAL mid-transaction and writes
 * them again, ~10 % of that write (docs/decisions/024). The cache grows only as it is used.
 */
export const SQLITE_WRITER_PRAGMAS = ['journal_mode = WAL', 'synchronous = NORMAL', 'foreign_keys = ON', 'cache_size = -65536'] as const;

/**
 * int8 comes back from pg as a string (it can exceed 2^53). The schema's bigints (amounts in minor
 * units) and `count(*)` are far below that and typed as numbers, so parse them as numbers; per pool
 * rather than through the global `pg.types`, so nothing else in the process is affected.
 */
const PG_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary' ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Run once on every session the store's pools open, before its first query: it makes the session's
 * PostgreSQL backend allocate and free 4 MiB, so that its C library keeps the memory of later
 * queries rather than handing it back to the kernel after each one.
 *
 * A query that sends a large value (a first transactions page is the account's head, ~60 KB of
 * text, decompressed, copied by its output function and into the row message: ~200 KB) frees that
 * memory when it ends. glibc's malloc gives the top of its heap back to the kernel (`brk`) once more
 * than its trim threshold (128 KiB to begin with) lies free there, and the next query grows it again,
 * page fault by page fault; shrinking the heap also flushes every core's TLB. Under load, a backend
 * caught in that cycle spent three times the CPU a page (~1000 against ~320 µs) and a third of it in
 * the kernel; whether a backend was caught depended on the order of its allocations so far, which is
 * why one database served 2.4 k pages/s and its twin 4.9 k (docs/decisions/024, 2026-12-03, night).
 * glibc raises its mmap threshold to the size of an mmapped block freed, and its trim threshold to
 * twice that (mallopt(3), "dynamic mmap threshold"): after this statement, 4 and 8 MiB. Other C
 * libraries merely run it.
 */
export const POSTGRES_SESSION_SETUP = `select length(repeat('x', 4 * 1024 * 1024))`;

/** The `application_name` of the sessions that run `plan: 'generic'` queries (a transactions chunk page). */
export const GENERIC_PLAN_SESSIONS = 'openlean-generic-plans';

function openPostgres(databaseUrl: string, options: StoreOptions): Store {
  // Every session runs POSTGRES_SESSION_SETUP before it is handed out (pg-pool awaits `onConnect`);
  // a setup that fails costs nothing but its effect.
  const onConnect = (client: pg.ClientBase) => client.query(POSTGRES_SESSION_SETUP).then(() => {}, () => {});
  // Named statements (`query`) skip parsing; after five runs PostgreSQL may switch them to a generic
  // plan made without the parameters' values, which on a small table is a scan and sort of every
  // row. Planning each run for its values costs far less than such a plan.
  // Each pool names its sessions (pg_stat_activity's application_name), as the job queue's and the
  // entity-change listener's do, so that an operator can tell what a connection is for.
  const pool = new pg.Pool({ connectionString: databaseUrl, types: PG_TYPES, application_name: 'openlean', options: '-c plan_cache_mode=force_custom_plan', onConnect });
  // The few hot queries whose plan is the same whatever the values (`plan: 'generic'`) run on
  // sessions that plan each statement once: making the custom plan of a transactions chunk page
  // took PostgreSQL longer than running it (docs/decisions/024). The setting is per session, hence
  // a pool of their own; it opens a connection only when one of them runs.
  const genericPool = new pg.Pool({ connectionString: databaseUrl, types: PG_TYPES, application_name: GENERIC_PLAN_SESSIONS, options: '-c plan_cache_mode=force_generic_plan', max: 4, onConnect });
  // An idle connection the server closes (restart, failover, admin termination) is dropped from the
  // pool and replaced on the next query; unheard, its error event would end the process.
  pool.on('error', () => {});
  genericPool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const compiled = new Map<PreparedQuery<any, any>, CompiledPrepared<any> & { name: string }>();
  const entities = new EntityCache();
  // Without hearing other processes' changes a cached row could be stale: then cache none.
  const changes = options.cacheEntities ? followEntityChanges(databaseUrl, entities) : null;
  if (!changes) entities.suspend();
  return {
    dialect: 'postgres',
    db,
    read: db,
    entities,
    async query(query, params) {
      let c = compiled.get(query);
      if (!c) {
        // A named statement is parsed and planned once per connection, then only executed.
        c = { ...compilePrepared(db, query), name: `openlean_${compiled.size}` };
        compiled.set(query, c);
      }
      return (await (query.plan === 'generic' ? genericPool : pool).query({ name: c.name, text: c.sql, values: c.bind(params) })).rows as never;
    },
    async close() {
      await changes?.close();
      await genericPool.end();
      await db.destroy();
    },
  };
}

export interface StoreOptions {
  /**
   * Cache entity rows for the read path. On PostgreSQL that holds a connection listening for other
   * processes' entity changes, worth it only in a process serving reads; without it nothing is
   * cached. SQLite, written by one process only, always caches.
   */
  cacheEntities?: boolean;
}

/** Opens (creating if needed, on SQLite) the database named by `databaseUrl`. Does not migrate. */
export function openStore(databaseUrl: string, options: StoreOptions = {}): Store {
  if (isPostgresUrl(databaseUrl)) return openPostgres(databaseUrl, options);
  const file = sqliteFile(databaseUrl);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const writer = openSqlite(file, false);
  const reader = openSqlite(file, true);
  const readStatements = withStatementCache(reader);
  const writes = withStatementCache(writer);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: writes }) });
  const read = new Kysely<DB>({ dialect: new SqliteDialect({ database: readStatements }) });
  const compiled = new Map<PreparedQuery<any, any>, CompiledPrepared<any>>();
  return {
    dialect: 'sqlite',
    db,
    read,
    entities: new EntityCache(),
    async query(query, params) {
      return this.queryNow!(query, params);
    },
    queryNow(query, params) {
      let c = compiled.get(query);
      if (!c) {
        c = compilePrepared(read, query);
        compiled.set(query, c);
      }
      return readStatements.prepare(c.sql).all(c.bind(params)) as never;
    },
    runEach: (sql, rows) => {
      const statement = writes.prepare(sql);
      for (const row of rows) statement.run(row);
    },
    async close() {
      await read.destroy();
      await db.destroy();
    },
  };
}

/**
 * Whether a query failed on a value the database cannot hold rather than on the database: text
 * with a NUL character, which SQLite stores and PostgreSQL refuses (SQLSTATE 22021). The request
 * carrying it is the client's error, not the server's.
 */
export function isUnstorableValue(error: unknown): boolean {
  return error instanceof pg.DatabaseError && error.code === '22021';
}

/**
 * Brings the schema to the latest migration; safe to call on every start, from several processes
 * at once. `onStart` is told each migration's name as it starts (progress on a large database).
 */
export async function migrate(store: Store, options: { onStart?: (name: string) => void } = {}): Promise<MigrationResultSet> {
  const { onStart } = options;
  const migrations = onStart
    ? Object.fromEntries(Object.entries(MIGRATIONS).map(([name, m]) => [name, { ...m, up: async (db: Kysely<any>) => (onStart(name), m.up(db)) }]))
    : MIGRATIONS;
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
  });
  // Kysely locks migrations on PostgreSQL (an advisory lock) but not on SQLite, where processes
  // migrating one file at once would each see a migration pending and all apply it. Holding the
  // file's write lock for the whole run makes them take turns, and the migrations atomic.
  const sqlite = store.dialect === 'sqlite';
  if (sqlite) await sql`begin immediate`.execute(store.db);
  let result: MigrationResultSet;
  try {
    result = await migrator.migrateToLatest();
  } catch (err) {
    if (sqlite) await sql`rollback`.execute(store.db);
    throw err;
  }
  if (sqlite) await (result.error ? sql`rollback` : sql`commit`).execute(store.db);
  if (result.error) throw result.error;
  return result;
}

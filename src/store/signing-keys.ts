import { PostgresAdapter, sql, type Kysely, type Selectable } from 'kysely';
import type { DB, SigningKeyTable } from './schema.ts';

export type SigningKeyRow = Selectable<SigningKeyTable>;

/** Newest first, so the first is the one new tokens are signed with. */
export async function listSigningKeys(db: Kysely<DB>): Promise<SigningKeyRow[]> {
  return db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
}

/** An advisory lock id of the database's own; any constant both sides agree on will do. */
const FIRST_KEY_LOCK = 0x6f6c6b31;

/**
 * The keys, newest first, after inserting `create()`'s key if there was none. Processes starting
 * at once on an empty PostgreSQL database take turns on an advisory lock, so exactly one key is
 * made and all of them sign with it; SQLite is written by one process, whose transactions already
 * take turns.
 */
export async function ensureSigningKey(db: Kysely<DB>, create: () => Promise<SigningKeyRow>): Promise<SigningKeyRow[]> {
  const rows = await listSigningKeys(db);
  if (rows.length > 0) return rows;
  return db.transaction().execute(async (trx) => {
    if (trx.getExecutor().adapter instanceof PostgresAdapter) await sql`select pg_advisory_xact_lock(${FIRST_KEY_LOCK})`.execute(trx);
    if ((await listSigningKeys(trx)).length === 0) await trx.insertInto('signing_keys').values(await create()).execute();
    return listSigningKeys(trx);
  });
}

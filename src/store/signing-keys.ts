import { PostgresAdapter, sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { JWK } from 'jose';
import type { DB, SigningKeyTable } from './schema.ts';

/** A published public key (RFC 7517): a JWK with the members every key is written with. */
export type PublicJwk = JWK & { kty: string; kid: string; alg: string; use: string };

/** A key as its repository returns it: `public_jwk` decoded. */
export type SigningKeyRow = Omit<Selectable<SigningKeyTable>, 'public_jwk'> & { public_jwk: PublicJwk };

/** Every key, latest activation first. */
export async function listSigningKeys(db: Kysely<DB>): Promise<SigningKeyRow[]> {
  const rows = await db.selectFrom('signing_keys').selectAll().orderBy('activates_at', 'desc').orderBy('kid', 'desc').execute();
  // The one place `signing_keys.public_jwk` is parsed.
  return rows.map((row) => ({ ...row, public_jwk: JSON.parse(row.public_jwk) as PublicJwk }));
}

const encode = (row: SigningKeyRow): Insertable<SigningKeyTable> => ({ ...row, public_jwk: JSON.stringify(row.public_jwk) });

/** An advisory lock id of the database's own; any constant both sides agree on will do. */
const FIRST_KEY_LOCK = 0x6f6c6b31;

/**
 * The keys, latest activation first, after inserting `create()`'s key if there was none. Processes
 * starting at once on an empty PostgreSQL database take turns on an advisory lock, so exactly one
 * key is made and all of them sign with it; SQLite is written by one process, whose transactions
 * already take turns.
 */
export async function ensureSigningKey(db: Kysely<DB>, create: () => Promise<SigningKeyRow>): Promise<SigningKeyRow[]> {
  const rows = await listSigningKeys(db);
  if (rows.length > 0) return rows;
  return db.transaction().execute(async (trx) => {
    if (trx.getExecutor().adapter instanceof PostgresAdapter) await sql`select pg_advisory_xact_lock(${FIRST_KEY_LOCK})`.execute(trx);
    if ((await listSigningKeys(trx)).length === 0) await trx.insertInto('signing_keys').values(encode(await create())).execute();
    return listSigningKeys(trx);
  });
}

export async function insertSigningKey(db: Kysely<DB>, row: SigningKeyRow): Promise<void> {
  await db.insertInto('signing_keys').values(encode(row)).execute();
}

/**
 * Replaces a key's sealed private JWK with `to` only if it is still `from` (compare-and-set), so a
 * concurrent re-sealing is never overwritten; whether it did.
 */
export async function replaceSealedSigningKey(db: Kysely<DB>, kid: string, from: string, to: string): Promise<boolean> {
  const res = await db.updateTable('signing_keys').set({ private_jwk_sealed: to }).where('kid', '=', kid).where('private_jwk_sealed', '=', from).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Deletes the keys `kids` (retired ones no token they signed still needs). */
export async function deleteSigningKeys(db: Kysely<DB>, kids: readonly string[]): Promise<number> {
  if (kids.length === 0) return 0;
  const res = await db.deleteFrom('signing_keys').where('kid', 'in', kids).executeTakeFirst();
  return Number(res.numDeletedRows);
}

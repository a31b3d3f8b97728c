import type { Kysely, Selectable } from 'kysely';
import type { DB, SigningKeyTable } from './schema.ts';

export type SigningKeyRow = Selectable<SigningKeyTable>;

/** Newest first, so the first is the one new tokens are signed with. */
export async function listSigningKeys(db: Kysely<DB>): Promise<SigningKeyRow[]> {
  return db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
}

/** Inserts unless a key with that kid exists; concurrent starters all end up with the same keys. */
export async function insertSigningKey(db: Kysely<DB>, key: SigningKeyRow): Promise<void> {
  await db.insertInto('signing_keys').values(key).onConflict((oc) => oc.column('kid').doNothing()).execute();
}

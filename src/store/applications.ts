import type { Kysely } from 'kysely';
import type { ApplicationRow, DB, SandboxApplicationRow } from './schema.ts';

export async function insertApplication(db: Kysely<DB>, app: ApplicationRow): Promise<void> {
  await db.insertInto('applications').values(app).execute();
}

export async function findApplicationByClientId(db: Kysely<DB>, clientId: string): Promise<ApplicationRow | undefined> {
  return db.selectFrom('applications').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

export async function getApplication(db: Kysely<DB>, id: string): Promise<ApplicationRow | undefined> {
  return db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
}

const SANDBOX_SLOT = 'default';

export async function getSandboxApplication(db: Kysely<DB>): Promise<SandboxApplicationRow | undefined> {
  return db.selectFrom('sandbox_application').selectAll().where('slot', '=', SANDBOX_SLOT).executeTakeFirst();
}

/**
 * Records the sandbox application. Unless `replace`, false when another process recorded one
 * first (its transaction committed before this one's insert): the caller should use that one.
 */
export async function putSandboxApplication(db: Kysely<DB>, row: Omit<SandboxApplicationRow, 'slot'>, replace: boolean): Promise<boolean> {
  const res = await db
    .insertInto('sandbox_application')
    .values({ slot: SANDBOX_SLOT, ...row })
    .onConflict((oc) => (replace ? oc.column('slot').doUpdateSet(row) : oc.column('slot').doNothing()))
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

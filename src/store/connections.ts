import type { Kysely } from 'kysely';
import type { DB, EntityConnectionTable } from './schema.ts';

/** Inserts or replaces how the entity's consent is reached (a reconnect replaces it). */
export async function saveConnection(db: Kysely<DB>, row: EntityConnectionTable): Promise<void> {
  await db
    .insertInto('entity_connections')
    .values(row)
    .onConflict((oc) =>
      oc.column('entity_id').doUpdateSet((eb) => ({
        consent_id: eb.ref('excluded.consent_id'),
        credentials: eb.ref('excluded.credentials'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

export async function getConnection(db: Kysely<DB>, entityId: string): Promise<EntityConnectionTable | undefined> {
  return db.selectFrom('entity_connections').selectAll().where('entity_id', '=', entityId).executeTakeFirst();
}

/** The entity whose connection is the consent, if any is. */
export async function findEntityOfConsent(db: Kysely<DB>, consentId: string): Promise<string | undefined> {
  return (await db.selectFrom('entity_connections').select('entity_id').where('consent_id', '=', consentId).executeTakeFirst())?.entity_id;
}

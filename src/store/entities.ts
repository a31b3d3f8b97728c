import type { Kysely } from 'kysely';
import type { DB, EntityRow } from './schema.ts';

export type NewEntity = Omit<EntityRow, 'data_version' | 'synced_at'>;

export async function insertEntity(db: Kysely<DB>, entity: NewEntity): Promise<void> {
  await db.insertInto('entities').values(entity).execute();
}

/** The entity, if it belongs to the application; another application's id reads as missing. */
export async function findEntity(db: Kysely<DB>, appId: string, entityId: string): Promise<EntityRow | undefined> {
  return db.selectFrom('entities').selectAll().where('id', '=', entityId).where('app_id', '=', appId).executeTakeFirst();
}

export async function listCustomerEntities(db: Kysely<DB>, appId: string, customerId: string): Promise<EntityRow[]> {
  return db
    .selectFrom('entities')
    .selectAll()
    .where('app_id', '=', appId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function updateEntityStatus(db: Kysely<DB>, entityId: string, status: EntityRow['status'], at: string): Promise<void> {
  await db.updateTable('entities').set({ status, updated_at: at }).where('id', '=', entityId).execute();
}

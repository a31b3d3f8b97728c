import type { EntityStatus } from '../domain/entity-status.ts';
import type { Kysely, Selectable } from 'kysely';
import type { Permission } from '../domain/permissions.ts';
import type { Store } from './database.ts';
import { prepared } from './prepared.ts';
import type { DB, EntityRow, EntityTable } from './schema.ts';

export type NewEntity = Omit<EntityRow, 'data_version' | 'synced_at'>;

/** The stored row with its JSON decoded: the one place `entities.permissions` is parsed. */
function decodeEntity(row: Selectable<EntityTable>): EntityRow {
  return { ...row, permissions: JSON.parse(row.permissions) as Permission[] };
}

const decodeOptional = (row: Selectable<EntityTable> | undefined) => (row === undefined ? undefined : decodeEntity(row));

export async function insertEntity(db: Kysely<DB>, entity: NewEntity): Promise<void> {
  await db.insertInto('entities').values({ ...entity, permissions: JSON.stringify(entity.permissions) }).execute();
}

/** A reconnected entity's new consent: ACTIVE again until `expiresAt` (ISO 8601). */
export async function renewEntityConsent(db: Kysely<DB>, entityId: string, expiresAt: string, at: string): Promise<void> {
  await db.updateTable('entities').set({ status: 'ACTIVE', consent_expires_at: expiresAt, updated_at: at }).where('id', '=', entityId).execute();
}

/** The entity, if it belongs to the application; another application's id reads as missing. */
export async function findEntity(db: Kysely<DB>, appId: string, entityId: string): Promise<EntityRow | undefined> {
  return decodeOptional(await db.selectFrom('entities').selectAll().where('id', '=', entityId).where('app_id', '=', appId).executeTakeFirst());
}

const ENTITY_OF_APP = prepared<{ appId: string; entityId: string }, Selectable<EntityTable>>((db, p) =>
  db.selectFrom('entities').selectAll().where('id', '=', p('entityId')).where('app_id', '=', p('appId')),
);

/** `findEntity` on the read path of every data request, served from the store's entity cache. */
export async function readEntity(store: Store, appId: string, entityId: string): Promise<EntityRow | undefined> {
  let row = store.entities.get(entityId);
  if (!row) {
    const generation = store.entities.generation(entityId);
    const [stored] = await store.query(ENTITY_OF_APP, { appId, entityId });
    row = decodeOptional(stored);
    if (row) store.entities.set(entityId, row, generation);
  }
  return row?.app_id === appId ? row : undefined;
}

export async function listCustomerEntities(db: Kysely<DB>, appId: string, customerId: string): Promise<EntityRow[]> {
  const rows = await db
    .selectFrom('entities')
    .selectAll()
    .where('app_id', '=', appId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(decodeEntity);
}

/** Sets the status only while it is one of `from`; false when it was not, so the change (and its event) happens once. */
export async function moveEntityStatus(db: Kysely<DB>, entityId: string, from: readonly EntityStatus[], status: EntityStatus, at: string): Promise<boolean> {
  const res = await db.updateTable('entities').set({ status, updated_at: at }).where('id', '=', entityId).where('status', 'in', from).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** The entity whatever its application: for workers, which act for every application. */
export async function getEntity(db: Kysely<DB>, entityId: string): Promise<EntityRow | undefined> {
  return decodeOptional(await db.selectFrom('entities').selectAll().where('id', '=', entityId).executeTakeFirst());
}

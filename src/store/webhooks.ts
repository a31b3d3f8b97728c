import type { Kysely } from 'kysely';
import { PAGE_TOTAL, pageAndTotal } from './page-total.ts';
import type { DB, WebhookDeliveryRow, WebhookEndpointRow, WebhookEventRow } from './schema.ts';

export async function getEndpoint(db: Kysely<DB>, appId: string): Promise<WebhookEndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('app_id', '=', appId).executeTakeFirst();
}

export async function hasEndpoint(db: Kysely<DB>, appId: string): Promise<boolean> {
  return (await db.selectFrom('webhook_endpoints').select('app_id').where('app_id', '=', appId).executeTakeFirst()) !== undefined;
}

/**
 * Points the application's endpoint at `url`; `sealedSecret` is used only when there was no
 * endpoint, so setting the URL again keeps the secret (two first calls racing agree on one).
 */
export async function upsertEndpoint(db: Kysely<DB>, row: { app_id: string; url: string; sealedSecret: string; at: string }): Promise<WebhookEndpointRow> {
  await db
    .insertInto('webhook_endpoints')
    .values({ app_id: row.app_id, url: row.url, secret: row.sealedSecret, created_at: row.at, updated_at: row.at })
    .onConflict((oc) => oc.column('app_id').doUpdateSet({ url: row.url, updated_at: row.at }))
    .execute();
  return (await getEndpoint(db, row.app_id))!;
}

/** Makes `sealedSecret` current and keeps the one it replaces until `previousExpiresAt`; false when there is no endpoint. */
export async function rotateEndpointSecret(db: Kysely<DB>, appId: string, sealedSecret: string, previousExpiresAt: string, at: string): Promise<boolean> {
  const res = await db
    .updateTable('webhook_endpoints')
    .set((eb) => ({ previous_secret: eb.ref('secret'), previous_secret_expires_at: previousExpiresAt, secret: sealedSecret, updated_at: at }))
    .where('app_id', '=', appId)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function deleteEndpoint(db: Kysely<DB>, appId: string): Promise<boolean> {
  const res = await db.deleteFrom('webhook_endpoints').where('app_id', '=', appId).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function insertEvent(db: Kysely<DB>, row: WebhookEventRow): Promise<void> {
  await db.insertInto('webhook_events').values(row).execute();
}

export async function getEvent(db: Kysely<DB>, id: string): Promise<WebhookEventRow | undefined> {
  return db.selectFrom('webhook_events').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Deletes up to `limit` of the oldest events recorded before `before`, with their attempts, in one
 * transaction; returns how many events went. Small batches keep each transaction short beside the
 * deliveries being recorded.
 */
export async function deleteEventsBefore(db: Kysely<DB>, before: string, limit: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const ids = (await trx.selectFrom('webhook_events').select('id').where('created_at', '<', before).orderBy('created_at').limit(limit).execute()).map((r) => r.id);
    if (ids.length === 0) return 0;
    await trx.deleteFrom('webhook_deliveries').where('event_id', 'in', ids).execute();
    await trx.deleteFrom('webhook_events').where('id', 'in', ids).execute();
    return ids.length;
  });
}

export async function insertDelivery(db: Kysely<DB>, row: WebhookDeliveryRow): Promise<void> {
  await db.insertInto('webhook_deliveries').values(row).execute();
}

/** The attempt, if it is the application's; another application's id reads as missing. */
export async function findDelivery(db: Kysely<DB>, appId: string, id: string): Promise<WebhookDeliveryRow | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
}

export type DeliveryWithType = WebhookDeliveryRow & { event_type: string };

/** The application's attempts, newest first, optionally those of one event, with how many there are in all (one query: `PAGE_TOTAL`). */
export async function listDeliveries(
  db: Kysely<DB>,
  appId: string,
  query: { eventId?: string; offset: number; limit: number },
): Promise<{ rows: DeliveryWithType[]; total: number }> {
  let filtered = db.selectFrom('webhook_deliveries as d').innerJoin('webhook_events as e', 'e.id', 'd.event_id').where('d.app_id', '=', appId);
  if (query.eventId) filtered = filtered.where('d.event_id', '=', query.eventId);
  const found = await filtered
    .selectAll('d')
    .select(['e.type as event_type', PAGE_TOTAL])
    .orderBy('d.attempted_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  return pageAndTotal(found, query.offset, () => filtered.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow());
}

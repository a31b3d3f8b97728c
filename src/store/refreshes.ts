import { sql, type Kysely, type Selectable } from 'kysely';
import type { Position } from '../domain/cursor.ts';
import type { RefreshStatus, ResourceProgress } from '../domain/refresh.ts';
import type { DB, RefreshRow, RefreshTable } from './schema.ts';

/**
 * A stored progress as it is now, whatever version of it was stored: rows written before PARTIAL
 * existed lack `records_skipped`, `issues` and `error`. The one place `refreshes.resources` is parsed.
 */
function readProgress(json: string): ResourceProgress[] {
  return (JSON.parse(json) as Partial<ResourceProgress>[]).map((p) => ({
    resource: p.resource!,
    status: p.status!,
    records: p.records ?? null,
    records_skipped: p.records_skipped ?? (p.records === null || p.records === undefined ? null : 0),
    issues: p.issues ?? [],
    error: p.error ?? null,
  }));
}

function decode(row: Selectable<RefreshTable>): RefreshRow;
function decode(row: Selectable<RefreshTable> | undefined): RefreshRow | undefined;
function decode(row: Selectable<RefreshTable> | undefined): RefreshRow | undefined {
  return row === undefined ? undefined : { ...row, resources: readProgress(row.resources) };
}

export async function insertRefresh(db: Kysely<DB>, row: RefreshRow): Promise<void> {
  await db.insertInto('refreshes').values({ ...row, resources: JSON.stringify(row.resources) }).execute();
}

/** A change to a refresh: any of its fields but its identity. */
export type RefreshChanges = Partial<Omit<RefreshRow, 'id' | 'entity_id'>>;

/**
 * Applies `patch` only while the refresh is in one of the `from` statuses; false when it was not
 * (another worker moved it first), so a status change and what it announces happen once.
 */
export async function moveRefresh(db: Kysely<DB>, id: string, from: readonly RefreshStatus[], patch: RefreshChanges): Promise<boolean> {
  const { resources, ...rest } = patch;
  const res = await db
    .updateTable('refreshes')
    .set(resources === undefined ? rest : { ...rest, resources: JSON.stringify(resources) })
    .where('id', '=', id)
    .where('status', 'in', from)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function getRefresh(db: Kysely<DB>, id: string): Promise<RefreshRow | undefined> {
  return decode(await db.selectFrom('refreshes').selectAll().where('id', '=', id).executeTakeFirst());
}

/** The refresh, if it is the entity's; another entity's id reads as missing. */
export async function getEntityRefresh(db: Kysely<DB>, entityId: string, id: string): Promise<RefreshRow | undefined> {
  return decode(await db.selectFrom('refreshes').selectAll().where('id', '=', id).where('entity_id', '=', entityId).executeTakeFirst());
}

/** The entity's refresh that is waiting or running, if any (there is at most one). */
export async function activeRefresh(db: Kysely<DB>, entityId: string): Promise<RefreshRow | undefined> {
  return decode(
    await db
      .selectFrom('refreshes')
      .selectAll()
      .where('entity_id', '=', entityId)
      .where('status', 'in', ['PENDING', 'IN_PROGRESS'])
      .orderBy('created_at', 'desc')
      .executeTakeFirst(),
  );
}

/** The entity's newest FINISHED refresh: what its stored data last came from. */
export async function latestFinishedRefresh(db: Kysely<DB>, entityId: string): Promise<RefreshRow | undefined> {
  return decode(
    await db
      .selectFrom('refreshes')
      .selectAll()
      .where('entity_id', '=', entityId)
      .where('status', '=', 'FINISHED')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst(),
  );
}

/** Finished refreshes looked at for the last complete read of transactions; beyond them, the whole history is read again. */
const SYNC_LOOKBACK = 100;

/**
 * When the newest finished refresh that read every account's transactions started (ISO 8601), or
 * null when none did: a refresh whose transactions failed, for some account or all, must not move
 * the next refresh's window past what was never read.
 */
export async function transactionsSyncedAt(db: Kysely<DB>, entityId: string): Promise<string | null> {
  const rows = await db
    .selectFrom('refreshes')
    .select(['started_at', 'resources'])
    .where('entity_id', '=', entityId)
    .where('status', '=', 'FINISHED')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(SYNC_LOOKBACK)
    .execute();
  const complete = rows.find((r) => !readProgress(r.resources).some((p) => p.resource === 'transactions' && p.error !== null));
  return complete?.started_at ?? null;
}

export async function latestRefresh(db: Kysely<DB>, entityId: string): Promise<RefreshRow | undefined> {
  return decode(await db.selectFrom('refreshes').selectAll().where('entity_id', '=', entityId).orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst());
}

/** The refresh an `Idempotency-Key` of the application was first used for, within `since`. */
export async function refreshForIdempotencyKey(
  db: Kysely<DB>,
  appId: string,
  key: string,
  since: string,
): Promise<{ entity_id: string; refresh_id: string } | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .select(['entity_id', 'refresh_id'])
    .where('app_id', '=', appId)
    .where('key', '=', key)
    .where('created_at', '>=', since)
    .executeTakeFirst();
}

/** Records (or, for an expired key, re-points) the key to the refresh it answered with. */
export async function rememberIdempotencyKey(db: Kysely<DB>, row: { app_id: string; key: string; entity_id: string; refresh_id: string; created_at: string }): Promise<void> {
  await db
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['app_id', 'key']).doUpdateSet((eb) => ({
        entity_id: eb.ref('excluded.entity_id'),
        refresh_id: eb.ref('excluded.refresh_id'),
        created_at: eb.ref('excluded.created_at'),
      })),
    )
    .execute();
}

export async function countRefreshesSince(db: Kysely<DB>, entityId: string, trigger: RefreshRow['trigger'], since: string): Promise<number> {
  const row = await db
    .selectFrom('refreshes')
    .select(sql<number>`count(*)`.as('n'))
    .where('entity_id', '=', entityId)
    .where('trigger', '=', trigger)
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Newest first by (created_at, id), by offset or after a keyset position. */
export async function listRefreshes(
  db: Kysely<DB>,
  entityId: string,
  page: { offset: number; limit: number; after?: Position },
): Promise<{ rows: RefreshRow[]; total: number }> {
  let query = db.selectFrom('refreshes').selectAll().where('entity_id', '=', entityId);
  if (page.after) {
    const { at, id } = page.after;
    query = query.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
  }
  const [rows, count] = await Promise.all([
    query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    db.selectFrom('refreshes').select(sql<number>`count(*)`.as('n')).where('entity_id', '=', entityId).executeTakeFirst(),
  ]);
  return { rows: rows.map((row) => decode(row)), total: Number(count?.n ?? 0) };
}

/**
 * Active entities with a live consent whose latest refresh started before `cutoff` and that have
 * none waiting or running: what the scheduler refreshes next.
 */
export async function entitiesDueForRefresh(db: Kysely<DB>, cutoff: string, now: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('entities as e')
    .select('e.id')
    .where('e.status', '=', 'ACTIVE')
    .where('e.consent_expires_at', '>', now)
    .where('e.synced_at', 'is not', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('refreshes as r')
            .select('r.id')
            .whereRef('r.entity_id', '=', 'e.id')
            .where((eb) => eb.or([eb('r.status', 'in', ['PENDING', 'IN_PROGRESS']), eb('r.created_at', '>=', cutoff)])),
        ),
      ),
    )
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

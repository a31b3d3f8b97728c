import type { Kysely } from 'kysely';
import type { DataResultRow, DB } from './schema.ts';

export async function insertDataResult(db: Kysely<DB>, row: DataResultRow): Promise<void> {
  await db.insertInto('data_results').values(row).execute();
}

/** The results `id` of application `appId`; another application's are not found. */
export async function getDataResult(db: Kysely<DB>, appId: string, id: string): Promise<DataResultRow | undefined> {
  return db.selectFrom('data_results').selectAll().where('id', '=', id).where('app_id', '=', appId).executeTakeFirst();
}

/** Marks the PENDING results waiting for `refreshId` READY; returns those it moved (no other writer moves them too). */
export async function readyResultsOf(db: Kysely<DB>, refreshId: string, at: string, expiresAt: string): Promise<DataResultRow[]> {
  const waiting = await db.selectFrom('data_results').selectAll().where('refresh_id', '=', refreshId).where('status', '=', 'PENDING').execute();
  const moved: DataResultRow[] = [];
  for (const row of waiting) {
    const res = await db
      .updateTable('data_results')
      .set({ status: 'READY', ready_at: at, expires_at: expiresAt })
      .where('id', '=', row.id)
      .where('status', '=', 'PENDING')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) moved.push({ ...row, status: 'READY', ready_at: at, expires_at: expiresAt });
  }
  return moved;
}

/** Deletes results that expired before `before`; returns how many. */
export async function pruneDataResults(db: Kysely<DB>, before: string): Promise<number> {
  const res = await db.deleteFrom('data_results').where('expires_at', '<', before).executeTakeFirst();
  return Number(res.numDeletedRows);
}

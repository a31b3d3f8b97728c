import type { Kysely, Selectable } from 'kysely';
import type { DataResultRow, DataResultTable, DB } from './schema.ts';

/** The stored row with its JSON decoded: the one place `params` and `query` are parsed. */
function decode(row: Selectable<DataResultTable>): DataResultRow {
  return { ...row, params: JSON.parse(row.params) as Record<string, unknown>, query: JSON.parse(row.query) as Record<string, unknown> };
}

export async function insertDataResult(db: Kysely<DB>, row: DataResultRow): Promise<void> {
  await db.insertInto('data_results').values({ ...row, params: JSON.stringify(row.params), query: JSON.stringify(row.query) }).execute();
}

/** The results `id` of application `appId`; another application's are not found. */
export async function getDataResult(db: Kysely<DB>, appId: string, id: string): Promise<DataResultRow | undefined> {
  const row = await db.selectFrom('data_results').selectAll().where('id', '=', id).where('app_id', '=', appId).executeTakeFirst();
  return row === undefined ? undefined : decode(row);
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
    if (Number(res.numUpdatedRows) > 0) moved.push({ ...decode(row), status: 'READY', ready_at: at, expires_at: expiresAt });
  }
  return moved;
}

/** Deletes results that expired before `before`; returns how many. */
export async function pruneDataResults(db: Kysely<DB>, before: string): Promise<number> {
  const res = await db.deleteFrom('data_results').where('expires_at', '<', before).executeTakeFirst();
  return Number(res.numDeletedRows);
}

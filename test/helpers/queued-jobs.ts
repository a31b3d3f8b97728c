import { sql } from 'kysely';
import type { Store } from '../../src/store/database.ts';

/**
 * The payloads of the `kind` jobs still to run (waiting, due or running), read from the queue's
 * own table: `jobs` on SQLite (a finished job is deleted), pg-boss's `pgboss.job` on PostgreSQL.
 * Proves that nothing more will happen: what no job is left to do, no worker will do.
 */
export async function queuedJobs(store: Store, kind: string): Promise<unknown[]> {
  if (store.dialect === 'sqlite') {
    const rows = await store.db.selectFrom('jobs').select('payload').where('kind', '=', kind).execute();
    return rows.map((row) => JSON.parse(row.payload));
  }
  const { rows } = await sql<{ data: { payload: unknown } }>`
    select data from pgboss.job where name = ${kind} and state in ('created', 'retry', 'active')`.execute(store.db);
  return rows.map((row) => row.data.payload);
}

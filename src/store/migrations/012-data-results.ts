import type { Kysely } from 'kysely';

/**
 * Lean's asynchronous data reads (docs/decisions/015): a `results_id` stands for one data read,
 * answered later at `GET /data/v2/results/{results_id}`. A row records the read (which operation,
 * its path and filter parameters), not its answer: the answer is rendered from the store when
 * fetched, paged as the fetch asks.
 *
 * - `refresh_id`: the refresh the read waits for (a `force_refresh`, or the entity's first);
 *   null when nothing had to be waited for.
 * - `status`: PENDING until that refresh ends, then READY (when `results.ready` is recorded).
 * - `expires_at`: ISO 8601; after it the results answer 410 RESULTS_EXPIRED, and housekeeping
 *   deletes the row a week later.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('data_results')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    // JSON: the read's path parameters and its own query parameters (filters; never paging).
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('refresh_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('ready_at', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  // A refresh that ends settles the reads waiting for it.
  await db.schema.createIndex('data_results_refresh').on('data_results').columns(['refresh_id', 'status']).execute();
  await db.schema.createIndex('data_results_expires').on('data_results').column('expires_at').execute();
}

import type { Kysely } from 'kysely';

/**
 * Requests per application and window, summed over the API processes (src/rate-limit/): each
 * adds its own hits every moment and reads back everyone's.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limit_windows')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    // Window first: every process reads a whole window, and old windows are deleted by age.
    .addPrimaryKeyConstraint('rate_limit_windows_pk', ['window_start', 'key'])
    .execute();
}

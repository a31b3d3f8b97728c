import type { Kysely } from 'kysely';

/** Events are pruned oldest first across every application (WEBHOOK_RETENTION_DAYS). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('webhook_events_created').on('webhook_events').column('created_at').execute();
}

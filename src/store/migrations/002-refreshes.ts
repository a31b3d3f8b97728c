import type { Kysely } from 'kysely';

/** Bank connections, refreshes and the durable job queue that runs them. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('entity_connections')
    .addColumn('entity_id', 'text', (c) => c.primaryKey().references('entities.id'))
    .addColumn('consent_id', 'text', (c) => c.notNull())
    // The bank's tokens, AES-256-GCM sealed (src/auth/secret-box.ts); never stored in clear.
    .addColumn('credentials', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('refreshes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('entity_id', 'text', (c) => c.notNull().references('entities.id'))
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('resources', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_detail', 'text')
    .execute();
  await db.schema.createIndex('refreshes_entity_created').on('refreshes').columns(['entity_id', 'created_at desc', 'id desc']).execute();
  await db.schema.createIndex('refreshes_status').on('refreshes').columns(['status']).execute();

  // Idempotency-Key of POST /data/v2/refreshes, per application, kept for a day as Stripe does.
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('refresh_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['app_id', 'key'])
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['run_at']).execute();
}

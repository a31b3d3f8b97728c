import type { Kysely } from 'kysely';

/**
 * The sandbox application's credentials, sealed with the encryption key: every process on the
 * database prints and reuses the same ones, whatever its data directory holds.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sandbox_application')
    .addColumn('slot', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('applications.id'))
    .addColumn('client_secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

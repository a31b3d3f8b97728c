import type { Kysely } from 'kysely';

/** The hosted consent journey (Link): one row per journey, from the first page to the callback. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('link_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('applications.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.references('entities.id'))
    .addColumn('bank_identifier', 'text')
    // 1 when the caller (or the entity, on reconnect) chose the bank: the user cannot change it.
    .addColumn('bank_fixed', 'integer', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text')
    .addColumn('origin', 'text')
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('consent_id', 'text')
    .addColumn('consent_expires_at', 'text')
    // The OAuth state sent to the bank; matching it is how the callback finds its journey.
    .addColumn('state', 'text', (c) => c.unique())
    .addColumn('nonce', 'text')
    // PKCE verifier, AES-256-GCM sealed (src/auth/secret-box.ts).
    .addColumn('code_verifier', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .addColumn('result_entity_id', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('link_sessions_expires').on('link_sessions').columns(['expires_at']).execute();
}

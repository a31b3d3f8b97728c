import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * The audit trail (docs/decisions/017-audit-trail.md): one row per read of bank data and per
 * change of an entity's consent. Rows are only ever inserted, and deleted by retention
 * (`AUDIT_RETENTION_DAYS`); the database itself refuses to update one.
 *
 * - `kind`: `data.read`, or `consent.created|reconnected|refreshed|revoked|deleted`.
 * - `customer_id`: null when the entity named is not the application's (a refused read).
 * - `entity_id`: as the request named it (a UUID), or null when it named none.
 * - `operation`: the route's operationId (`getAccounts`, `getAccountsLean`, …); null for consent changes.
 * - `resource`, `account_id`: what was read; null when not about a resource or an account.
 * - `subject`: the access token's `sub` (the client_id); null for what openlean did itself (refreshes).
 * - `status`: the HTTP status answered; null for consent changes made outside a request.
 * - `outcome`: OK, REFUSED (4xx) or FAILED (5xx, or a refresh that failed); `error_code` the problem's `code`.
 * - `at`: ISO 8601 UTC with milliseconds; lists are newest first by (`at`, `id`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('entity_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('operation', 'text')
    .addColumn('resource', 'text')
    .addColumn('account_id', 'text')
    .addColumn('subject', 'text')
    .addColumn('request_id', 'text')
    .addColumn('status', 'integer')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('detail', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  // An application's events, newest first, optionally by customer or entity; retention and export by time.
  await db.schema.createIndex('audit_events_app_at').on('audit_events').columns(['app_id', 'at', 'id']).execute();
  await db.schema.createIndex('audit_events_app_entity_at').on('audit_events').columns(['app_id', 'entity_id', 'at']).execute();
  await db.schema.createIndex('audit_events_app_customer_at').on('audit_events').columns(['app_id', 'customer_id', 'at']).execute();
  await db.schema.createIndex('audit_events_at').on('audit_events').columns(['at', 'id']).execute();
  // Records are unalterable: no API updates them, and the database refuses to.
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create function audit_events_unalterable() returns trigger language plpgsql as $$ begin raise exception 'audit records cannot be altered'; end $$`.execute(db);
    await sql`create trigger audit_events_no_update before update on audit_events for each row execute function audit_events_unalterable()`.execute(db);
  } else {
    await sql`create trigger audit_events_no_update before update on audit_events begin select raise(abort, 'audit records cannot be altered'); end`.execute(db);
  }
}

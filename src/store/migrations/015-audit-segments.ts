import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { encodeSegments, type AuditEventInput } from '../../audit/segment.ts';
import { kyselySink, writeAuditSegments } from '../../audit/write-batch.ts';

/** Rows of `audit_events` turned into one segment, per application. */
const ROWS_PER_SEGMENT = 500;

/**
 * The audit trail in segments (docs/decisions/021-audit-segments.md): one row per batch of one
 * application's records (`audit_segments`, the records as one JSON text) and one row per distinct
 * (entity, kind) in it (`audit_segment_keys`, with its customer and count), in place of one indexed
 * row per record (`audit_events`, migration 014), whose rows are carried over. Both tables are
 * inserted and deleted by retention only; the database refuses to update either.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_segments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('first_at', 'text', (c) => c.notNull())
    .addColumn('last_at', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('records', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('audit_segment_keys')
    .addColumn('segment_id', 'text', (c) => c.notNull().references('audit_segments.id'))
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('customer_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .execute();
  // An application's segments newest first; retention and export by time; a customer's or an entity's segments.
  await db.schema.createIndex('audit_segments_app_last').on('audit_segments').columns(['app_id', 'last_at', 'id']).execute();
  await db.schema.createIndex('audit_segments_last').on('audit_segments').columns(['last_at']).execute();
  await db.schema.createIndex('audit_segments_first').on('audit_segments').columns(['first_at', 'id']).execute();
  await db.schema.createIndex('audit_segment_keys_segment').on('audit_segment_keys').columns(['segment_id']).execute();
  await db.schema.createIndex('audit_segment_keys_entity').on('audit_segment_keys').columns(['app_id', 'entity_id', 'segment_id']).execute();
  await db.schema.createIndex('audit_segment_keys_customer').on('audit_segment_keys').columns(['app_id', 'customer_id', 'segment_id']).execute();

  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const table of ['audit_segments', 'audit_segment_keys']) {
    if (postgres) {
      await sql`create trigger ${sql.raw(`${table}_no_update`)} before update on ${sql.table(table)} for each row execute function audit_events_unalterable()`.execute(db);
    } else {
      await sql`create trigger ${sql.raw(`${table}_no_update`)} before update on ${sql.table(table)} begin select raise(abort, 'audit records cannot be altered'); end`.execute(db);
    }
  }

  // Carry the records over, a segment of up to ROWS_PER_SEGMENT rows of one application at a time.
  let after: { app_id: string; at: string; id: string } | undefined;
  for (;;) {
    let query = db.selectFrom('audit_events').selectAll();
    if (after) {
      const { app_id, at, id } = after;
      query = query.where((eb) => eb.or([eb('app_id', '>', app_id), eb.and([eb('app_id', '=', app_id), eb.or([eb('at', '>', at), eb.and([eb('at', '=', at), eb('id', '>', id)])])])]));
    }
    const rows: any[] = await query.orderBy('app_id').orderBy('at').orderBy('id').limit(ROWS_PER_SEGMENT).execute();
    if (rows.length === 0) break;
    const events: AuditEventInput[] = rows.map(({ id: _id, at: _at, ...event }) => event);
    // A record's customer comes with it; records of another application's entity had none, and the
    // writer's lookup among the application's entities finds none for them either.
    await writeAuditSegments(kyselySink(db), encodeSegments(events, rows.map((r) => Date.parse(r.at))));
    const last = rows.at(-1);
    after = { app_id: last.app_id, at: last.at, id: last.id };
  }
  await db.schema.dropTable('audit_events').execute();
}

import type { Kysely } from 'kysely';
import { exportAuditEvents } from '../../src/store/audit-events.ts';
import type { AuditEventRow, DB } from '../../src/store/schema.ts';

/** Every stored audit record (all applications, all time) that `keep` keeps, oldest first: the database read directly. */
export async function auditRecords(db: Kysely<DB>, keep: (row: AuditEventRow) => boolean = () => true): Promise<AuditEventRow[]> {
  const rows: AuditEventRow[] = [];
  for await (const row of exportAuditEvents(db, { from: '0000-01-01T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z' })) if (keep(row)) rows.push(row);
  return rows;
}

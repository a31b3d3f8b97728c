import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { customersOfEntities, insertAuditEvents } from '../store/audit-events.ts';
import type { AuditEventRow, DB } from '../store/schema.ts';
import type { AuditEventInput } from './recorder.ts';

/** Buffered records: the events as recorded, and when each was (ms since the epoch), index for index. */
export interface AuditBatch {
  events: AuditEventInput[];
  times: number[];
}

/**
 * A UUID version 7 (RFC 9562 §5.7): the time in ms, then random bits. Records made later get greater
 * ids, so the primary key index grows at its end rather than everywhere.
 */
function timeOrderedId(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0');
  const random = randomUUID();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${random.slice(15)}`;
}

/** The row `event` stands for, with a new id; `customer_id` stays undefined when it is to be looked up. */
export function auditRow(event: AuditEventInput, now: Date): AuditEventRow {
  return {
    id: timeOrderedId(now.getTime()),
    app_id: event.app_id,
    customer_id: event.customer_id as string | null,
    entity_id: event.entity_id ?? null,
    kind: event.kind,
    operation: event.operation ?? null,
    resource: event.resource ?? null,
    account_id: event.account_id ?? null,
    subject: event.subject ?? null,
    request_id: event.request_id ?? null,
    status: event.status ?? null,
    outcome: event.outcome,
    error_code: event.error_code ?? null,
    detail: event.detail ?? null,
    at: event.at ?? now.toISOString(),
  };
}

/** Where a batch goes: the store through Kysely, or (the writer thread on SQLite) prepared statements. */
export interface AuditSink {
  /** The customer of each of `entityIds` that is application `appId`'s entity (entity id → customer id). */
  customersOf(appId: string, entityIds: string[]): Promise<Map<string, string>>;
  insert(rows: AuditEventRow[]): Promise<void>;
}

/** The sink of a Kysely database (PostgreSQL, and the in-thread writer). */
export function kyselySink(db: Kysely<DB>): AuditSink {
  return { customersOf: (appId, ids) => customersOfEntities(db, appId, ids), insert: (rows) => insertAuditEvents(db, rows) };
}

/**
 * Writes one batch of audit records (ids and ISO times made here, off the serving thread), first filling
 * each `customer_id` left undefined from its `entity_id`, among that record's application's
 * entities only (one lookup per application): a read of another application's entity records no
 * customer.
 */
export async function writeAuditBatch(sink: AuditSink, batch: AuditBatch): Promise<void> {
  const rows: AuditEventRow[] = batch.events.map((event, i) => auditRow(event, new Date(batch.times[i]!)));
  const wanted = new Map<string, Set<string>>();
  for (const row of rows) {
    if (row.customer_id !== undefined || row.entity_id === null) continue;
    let ids = wanted.get(row.app_id);
    if (!ids) wanted.set(row.app_id, (ids = new Set()));
    ids.add(row.entity_id);
  }
  const found = new Map<string, Map<string, string>>();
  for (const [appId, ids] of wanted) found.set(appId, await sink.customersOf(appId, [...ids]));
  await sink.insert(rows.map((row) => (row.customer_id !== undefined ? row : { ...row, customer_id: (row.entity_id && found.get(row.app_id)?.get(row.entity_id)) || null })));
}

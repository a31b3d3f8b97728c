import SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Position } from '../domain/cursor.ts';
import type { AuditEventRow, AuditKind, DB } from './schema.ts';

/** Rows per INSERT statement: well under SQLite's 32766 bound parameters (15 columns each). */
const ROWS_PER_INSERT = 500;

/** Inserts audit records, in as few statements as the database allows. */
export async function insertAuditEvents(db: Kysely<DB>, rows: readonly AuditEventRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await db.insertInto('audit_events').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
  }
}

/**
 * The customer of each entity in `entityIds` that belongs to application `appId` (entity id →
 * customer id); another application's entities and unknown ids are absent.
 */
export async function customersOfEntities(db: Kysely<DB>, appId: string, entityIds: readonly string[]): Promise<Map<string, string>> {
  if (entityIds.length === 0) return new Map();
  const rows = await db.selectFrom('entities').select(['id', 'customer_id']).where('app_id', '=', appId).where('id', 'in', entityIds).execute();
  return new Map(rows.map((r) => [r.id, r.customer_id]));
}

export interface AuditFilter {
  customerId?: string;
  entityId?: string;
  kind?: AuditKind;
  /** ISO 8601; inclusive. */
  from?: string;
  /** ISO 8601; exclusive. */
  to?: string;
}

/**
 * Application `appId`'s audit records matching `filter`, newest first by (`at`, `id`): the page
 * (`limit` rows after `offset`, or after the cursor position `after`) and how many match in all.
 */
export async function listAuditEvents(
  db: Kysely<DB>,
  appId: string,
  filter: AuditFilter,
  page: { offset: number; limit: number; after?: Position },
): Promise<{ rows: AuditEventRow[]; total: number }> {
  let query = db.selectFrom('audit_events').where('app_id', '=', appId);
  if (filter.customerId !== undefined) query = query.where('customer_id', '=', filter.customerId);
  if (filter.entityId !== undefined) query = query.where('entity_id', '=', filter.entityId);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('at', '<', filter.to);
  let rowsQuery = query.selectAll();
  if (page.after) {
    const { at, id } = page.after;
    rowsQuery = rowsQuery.where((eb) => eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', id)])]));
  }
  const [rows, count] = await Promise.all([
    rowsQuery.orderBy('at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    query.select(sql<number>`count(*)`.as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

/**
 * Every audit record with `from` ≤ `at` < `to` (ISO 8601), of every application (or only those
 * about one customer or entity), oldest first,
 * read `batchSize` rows at a time by keyset so an export of millions holds one batch in memory.
 */
export async function* exportAuditEvents(
  db: Kysely<DB>,
  range: { from: string; to: string; customerId?: string; entityId?: string },
  batchSize = 1000,
): AsyncGenerator<AuditEventRow> {
  let after: Position | undefined;
  for (;;) {
    let query = db.selectFrom('audit_events').selectAll().where('at', '>=', range.from).where('at', '<', range.to);
    if (range.customerId !== undefined) query = query.where('customer_id', '=', range.customerId);
    if (range.entityId !== undefined) query = query.where('entity_id', '=', range.entityId);
    if (after) {
      const { at, id } = after;
      query = query.where((eb) => eb.or([eb('at', '>', at), eb.and([eb('at', '=', at), eb('id', '>', id)])]));
    }
    const rows = await query.orderBy('at', 'asc').orderBy('id', 'asc').limit(batchSize).execute();
    yield* rows;
    const last = rows.at(-1);
    if (!last || rows.length < batchSize) return;
    after = { at: last.at, id: last.id };
  }
}

/** Deletes the records from before `before` (ISO 8601); returns how many. */
export async function pruneAuditEvents(db: Kysely<DB>, before: string): Promise<number> {
  const res = await db.deleteFrom('audit_events').where('at', '<', before).executeTakeFirst();
  return Number(res.numDeletedRows);
}

const AUDIT_COLUMNS = ['id', 'app_id', 'customer_id', 'entity_id', 'kind', 'operation', 'resource', 'account_id', 'subject', 'request_id', 'status', 'outcome', 'error_code', 'detail', 'at'] as const satisfies readonly (keyof AuditEventRow)[];

/**
 * The audit writer thread's own connection to a SQLite file: one prepared INSERT run per row in
 * one transaction per batch, and a prepared customer lookup. Half the cost of building a 500-row
 * INSERT with Kysely for every batch, on the hottest write there is (one row per read).
 */
export function openSqliteAuditSink(file: string): {
  customersOf(appId: string, entityIds: string[]): Promise<Map<string, string>>;
  insert(rows: AuditEventRow[]): Promise<void>;
  close(): void;
} {
  const database = new SQLite(file);
  database.pragma('busy_timeout = 5000');
  const insert = database.prepare(`insert into audit_events (${AUDIT_COLUMNS.join(', ')}) values (${AUDIT_COLUMNS.map(() => '?').join(', ')})`);
  const customer = database.prepare<[string, string], { customer_id: string }>('select customer_id from entities where app_id = ? and id = ?');
  const insertAll = database.transaction((rows: AuditEventRow[]) => {
    for (const row of rows) insert.run(AUDIT_COLUMNS.map((c) => row[c]));
  });
  return {
    async customersOf(appId, entityIds) {
      const found = new Map<string, string>();
      for (const id of entityIds) {
        const row = customer.get(appId, id);
        if (row) found.set(id, row.customer_id);
      }
      return found;
    },
    async insert(rows) {
      insertAll(rows);
    },
    close: () => database.close(),
  };
}

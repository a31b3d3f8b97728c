import SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { decodeSegment } from '../audit/segment.ts';
import type { Position } from '../domain/cursor.ts';
import type { AuditKind } from '../domain/audit.ts';
import type { AuditEventRow, AuditSegmentKeyTable, AuditSegmentTable, DB } from './schema.ts';

/**
 * The audit trail's store (migration 015, docs/decisions/021-audit-segments.md): records live in
 * segments, one row per batch of one application's records, found through their keys (one row per
 * distinct entity and kind). Listing decodes only the segments a page needs; counting sums keys and
 * decodes only the segments a time bound cuts through.
 */

/** A segment and its keys, as stored. */
export interface StoredSegment {
  /** The row, its `records` as the UTF-8 bytes of their JSON text (src/audit/segment.ts). */
  segment: Omit<AuditSegmentTable, 'records'> & { records: Buffer };
  keys: AuditSegmentKeyTable[];
}

/** Segments read per query while listing or exporting. */
const SEGMENTS_PER_QUERY = 32;

/** Inserts segments with their keys. */
export async function insertAuditSegments(db: Kysely<DB>, segments: readonly StoredSegment[]): Promise<void> {
  if (segments.length === 0) return;
  await db
    .insertInto('audit_segments')
    .values(segments.map((s) => ({ ...s.segment, records: s.segment.records.toString('utf8') })))
    .execute();
  const keys = segments.flatMap((s) => s.keys);
  if (keys.length > 0) await db.insertInto('audit_segment_keys').values(keys).execute();
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
 * The segments that may hold records matching `filter` (of application `appId`, or of every
 * application): those overlapping its time range, with a key of its entity, customer and kind when
 * it names any. Listing, counting and exporting each order and page them their own way.
 */
function segmentsMatching(db: Kysely<DB>, filter: AuditFilter, appId?: string) {
  let query = db.selectFrom('audit_segments').selectAll();
  if (appId !== undefined) query = query.where('app_id', '=', appId);
  if (filter.from !== undefined) query = query.where('last_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('first_at', '<', filter.to);
  if (filter.entityId === undefined && filter.customerId === undefined && filter.kind === undefined) return query;
  return query.where((eb) => {
    let keys = eb.selectFrom('audit_segment_keys as k').select('k.segment_id').whereRef('k.segment_id', '=', 'audit_segments.id');
    if (filter.entityId !== undefined) keys = keys.where('k.entity_id', '=', filter.entityId);
    if (filter.customerId !== undefined) keys = keys.where('k.customer_id', '=', filter.customerId);
    if (filter.kind !== undefined) keys = keys.where('k.kind', '=', filter.kind);
    return eb.exists(keys);
  });
}

function recordMatches(filter: AuditFilter, row: AuditEventRow): boolean {
  return (
    (filter.entityId === undefined || row.entity_id === filter.entityId) &&
    (filter.customerId === undefined || row.customer_id === filter.customerId) &&
    (filter.kind === undefined || row.kind === filter.kind) &&
    (filter.from === undefined || row.at >= filter.from) &&
    (filter.to === undefined || row.at < filter.to)
  );
}

/** (at, id) order: negative when `a` is older. */
function compare(a: Position, b: Position): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Each of `segments`' entity → customer map, read from its keys in one query. */
async function customersOfSegments(db: Kysely<DB>, segments: readonly AuditSegmentTable[]): Promise<Map<string, Map<string, string | null>>> {
  if (segments.length === 0) return new Map();
  const keys = await db
    .selectFrom('audit_segment_keys')
    .select(['segment_id', 'entity_id', 'customer_id'])
    .where('segment_id', 'in', segments.map((s) => s.id))
    .execute();
  const customers = new Map<string, Map<string, string | null>>();
  for (const k of keys) {
    if (k.entity_id === null) continue;
    let map = customers.get(k.segment_id);
    if (!map) customers.set(k.segment_id, (map = new Map()));
    map.set(k.entity_id, k.customer_id);
  }
  return customers;
}

/** The records of one segment, with the customers `customersOfSegments` read. */
function decode(segment: AuditSegmentTable, customers: Map<string, Map<string, string | null>>): AuditEventRow[] {
  return decodeSegment(segment.id, segment.app_id, segment.records, customers.get(segment.id) ?? new Map());
}

/** The records of `segments`, segment by segment. */
async function decodeAll(db: Kysely<DB>, segments: readonly AuditSegmentTable[]): Promise<AuditEventRow[][]> {
  const customers = await customersOfSegments(db, segments);
  return segments.map((s) => decode(s, customers));
}

/**
 * Application `appId`'s audit records matching `filter`, newest first by (`at`, `id`): the page
 * (`limit` rows after `offset`, or after the cursor position `after`) and how many match in all.
 *
 * Segments are read newest last record first; reading stops once the next segment's last record is
 * older than the page's last, so a page decodes the segments it draws from and those overlapping them.
 */
export async function listAuditEvents(
  db: Kysely<DB>,
  appId: string,
  filter: AuditFilter,
  page: { offset: number; limit: number; after?: Position },
): Promise<{ rows: AuditEventRow[]; total: number }> {
  const wanted = page.offset + page.limit;
  let found: AuditEventRow[] = [];
  let last: { last_at: string; id: string } | undefined;
  reading: for (;;) {
    let query = segmentsMatching(db, filter, appId);
    if (page.after) query = query.where('first_at', '<=', page.after.at);
    if (last) {
      const { last_at, id } = last;
      query = query.where((eb) => eb.or([eb('last_at', '<', last_at), eb.and([eb('last_at', '=', last_at), eb('id', '<', id)])]));
    }
    const segments = await query.orderBy('last_at', 'desc').orderBy('id', 'desc').limit(SEGMENTS_PER_QUERY).execute();
    const customers = await customersOfSegments(db, segments);
    for (const segment of segments) {
      // Every record still unread is at most this segment's last: none can enter a full page ending later.
      if (found.length >= wanted && segment.last_at < found[wanted - 1]!.at) break reading;
      // Decoded only when reached: a first page usually needs one segment of the query's 32.
      for (const row of decode(segment, customers)) {
        if (recordMatches(filter, row) && (!page.after || compare(row, page.after) < 0)) found.push(row);
      }
      found.sort((a, b) => compare(b, a));
      if (found.length > wanted) found = found.slice(0, wanted);
    }
    if (segments.length < SEGMENTS_PER_QUERY) break;
    last = segments.at(-1)!;
  }
  return { rows: found.slice(page.offset), total: await countAuditEvents(db, appId, filter) };
}

/**
 * How many of application `appId`'s records match `filter`: the keys' counts of the segments wholly
 * inside the time range, plus the matching records of the (few) segments a bound cuts through.
 */
async function countAuditEvents(db: Kysely<DB>, appId: string, filter: AuditFilter): Promise<number> {
  let inside = db
    .selectFrom('audit_segment_keys as k')
    .innerJoin('audit_segments as s', 's.id', 'k.segment_id')
    .select(sql<number | string | null>`sum(k.n)`.as('n'))
    .where('k.app_id', '=', appId);
  if (filter.entityId !== undefined) inside = inside.where('k.entity_id', '=', filter.entityId);
  if (filter.customerId !== undefined) inside = inside.where('k.customer_id', '=', filter.customerId);
  if (filter.kind !== undefined) inside = inside.where('k.kind', '=', filter.kind);
  if (filter.from !== undefined) inside = inside.where('s.first_at', '>=', filter.from);
  if (filter.to !== undefined) inside = inside.where('s.last_at', '<', filter.to);
  let total = Number((await inside.executeTakeFirst())?.n ?? 0);
  if (filter.from === undefined && filter.to === undefined) return total;
  const { from, to } = filter;
  const cut = segmentsMatching(db, filter, appId).where((eb) => {
    const outside = [];
    if (from !== undefined) outside.push(eb('first_at', '<', from));
    if (to !== undefined) outside.push(eb('last_at', '>=', to));
    return eb.or(outside);
  });
  let after: string | undefined;
  for (;;) {
    const segments = await (after === undefined ? cut : cut.where('id', '>', after)).orderBy('id').limit(SEGMENTS_PER_QUERY).execute();
    for (const rows of await decodeAll(db, segments)) total += rows.filter((row) => recordMatches(filter, row)).length;
    if (segments.length < SEGMENTS_PER_QUERY) return total;
    after = segments.at(-1)!.id;
  }
}

/**
 * Every audit record with `from` ≤ `at` < `to` (ISO 8601), of every application (or only those
 * about one customer or entity), oldest first by (`at`, `id`), read a few segments at a time so an
 * export of millions holds only the segments that overlap in time.
 */
export async function* exportAuditEvents(db: Kysely<DB>, range: { from: string; to: string; customerId?: string; entityId?: string }): AsyncGenerator<AuditEventRow> {
  const filter: AuditFilter = { from: range.from, to: range.to, ...(range.customerId ? { customerId: range.customerId } : {}), ...(range.entityId ? { entityId: range.entityId } : {}) };
  let pending: AuditEventRow[] = [];
  let last: { first_at: string; id: string } | undefined;
  for (;;) {
    let query = segmentsMatching(db, filter);
    if (last) {
      const { first_at, id } = last;
      query = query.where((eb) => eb.or([eb('first_at', '>', first_at), eb.and([eb('first_at', '=', first_at), eb('id', '>', id)])]));
    }
    const segments = await query.orderBy('first_at').orderBy('id').limit(SEGMENTS_PER_QUERY).execute();
    const decoded = await decodeAll(db, segments);
    for (const [i, segment] of segments.entries()) {
      // What is older than this segment's first record can no longer be preceded by anything unread.
      pending.sort(compare);
      const ready = pending.findIndex((row) => row.at >= segment.first_at);
      const cut = ready === -1 ? pending.length : ready;
      yield* pending.slice(0, cut);
      pending = pending.slice(cut);
      for (const row of decoded[i]!) if (recordMatches(filter, row)) pending.push(row);
    }
    if (segments.length < SEGMENTS_PER_QUERY) break;
    last = segments.at(-1)!;
  }
  yield* pending.sort(compare);
}

/**
 * Deletes the segments whose every record is from before `before` (ISO 8601), with their keys;
 * returns how many records went. A segment's records go together, when its newest is due: at most
 * one flush interval (`AUDIT_FLUSH_MS`) after its oldest.
 */
export async function pruneAuditEvents(db: Kysely<DB>, before: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const due = trx.selectFrom('audit_segments').select('id').where('last_at', '<', before);
    const counted = await trx.selectFrom('audit_segments').select(sql<number | string | null>`sum(count)`.as('n')).where('last_at', '<', before).executeTakeFirst();
    await trx.deleteFrom('audit_segment_keys').where('segment_id', 'in', due).execute();
    await trx.deleteFrom('audit_segments').where('last_at', '<', before).execute();
    return Number(counted?.n ?? 0);
  });
}

const SEGMENT_COLUMNS = ['id', 'app_id', 'first_at', 'last_at', 'count', 'records'] as const satisfies readonly (keyof AuditSegmentTable)[];
const KEY_COLUMNS = ['segment_id', 'app_id', 'entity_id', 'customer_id', 'kind', 'n'] as const satisfies readonly (keyof AuditSegmentKeyTable)[];

/**
 * The audit recorder's own connection to a SQLite file (src/audit/recorder.ts): prepared INSERTs of
 * segments and keys in one transaction per batch, and a prepared customer lookup. It never waits
 * for a lock: a write that finds the file locked throws `SQLITE_BUSY` at once.
 */
export function openSqliteAuditSink(file: string): {
  customersOf(appId: string, entityIds: string[]): Promise<Map<string, string>>;
  insert(segments: StoredSegment[]): Promise<void>;
  close(): void;
} {
  const database = new SQLite(file);
  database.pragma('busy_timeout = 0');
  // As the store's connections (src/store/database.ts): in WAL mode, no fsync at every commit.
  database.pragma('synchronous = NORMAL');
  // The records are bound as bytes and stored as the text they are (a CAST of a BLOB to TEXT
  // reinterprets its bytes, SQLite §"CAST expressions"): no string of them is made on the way.
  const insertSegment = database.prepare(
    `insert into audit_segments (${SEGMENT_COLUMNS.join(', ')}) values (${SEGMENT_COLUMNS.map((c) => (c === 'records' ? 'cast(? as text)' : '?')).join(', ')})`,
  );
  const insertKey = database.prepare(`insert into audit_segment_keys (${KEY_COLUMNS.join(', ')}) values (${KEY_COLUMNS.map(() => '?').join(', ')})`);
  const customer = database.prepare<[string, string], { customer_id: string }>('select customer_id from entities where app_id = ? and id = ?');
  const insertAll = database.transaction((segments: StoredSegment[]) => {
    for (const { segment, keys } of segments) {
      insertSegment.run(SEGMENT_COLUMNS.map((c) => segment[c]));
      for (const key of keys) insertKey.run(KEY_COLUMNS.map((c) => key[c]));
    }
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
    async insert(segments) {
      insertAll(segments);
    },
    close: () => database.close(),
  };
}

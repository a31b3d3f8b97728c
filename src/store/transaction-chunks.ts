import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Position } from '../domain/cursor.ts';
import { prepared } from './prepared.ts';
import type { DB, TransactionChunkTable } from './schema.ts';
import { TRANSACTION_JSON_VERSION } from './transaction-rows.ts';

/*
 * An account's transactions kept rendered in chunks (docs/decisions/024): its rows in ascending
 * (booking_at, id) order, oldest first, `CHUNK_ROWS` to a chunk; within a chunk, newest first, as
 * pages show them, their stored JSON joined by commas with each row's key and end. Chunks go
 * oldest first because new transactions are newer than the stored ones: a refresh appends, and
 * rewrites only the last chunk. Rows go newest first within one because then a page's rows in a
 * chunk are one run of its text: a page of up to `CHUNK_ROWS` rows, by number or by cursor, is
 * at most two chunk rows and two slices, where the row path read and joined every row of it
 * (decision 023: ~70 µs of SQLite's own work a page before a value reaches JavaScript).
 */

/** Rows per chunk: a page of at most this many spans at most two chunks. */
export const CHUNK_ROWS = 100;

/** Digits of each end in a chunk's `ends` and `byte_ends`: read by position, without splitting the list. */
const END_DIGITS = 8;
const MAX_END = 10 ** END_DIGITS - 1;

/** A stored row as a chunk takes it: its key and its stored JSON. */
export interface ChunkSource {
  id: string;
  booking_at: string;
  json: string;
}

/** One chunk as stored (`transaction_chunks`, whose columns say what each holds), without its account's ids and version. */
export type ChunkContent = Omit<TransactionChunkTable, 'account_id' | 'entity_id' | 'version'>;

/** The key of a row as a chunk's `keys` holds it. */
const keyOf = (at: string, id: string) => `${at} ${id}`;

/** Each row's end in the rows' texts joined by commas, `length` measuring a text, as `END_DIGITS` digits each; undefined when one does not fit. */
function endsOf(texts: readonly string[], length: (text: string) => number): string | undefined {
  let end = -1;
  let out = '';
  for (const text of texts) {
    end += 1 + length(text);
    if (end > MAX_END) return undefined;
    out += String(end).padStart(END_DIGITS, '0');
  }
  return out;
}

/**
 * `rows` (ascending by (booking_at, id), positions from `firstChunk * CHUNK_ROWS` on) cut into
 * chunks numbered from `firstChunk`; undefined when a chunk's text would be longer than its ends
 * can say (10⁸ characters: the account is then read from its rows). Pure.
 */
export function chunksOf(rows: readonly ChunkSource[], firstChunk: number): ChunkContent[] | undefined {
  const chunks: ChunkContent[] = [];
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    const part = rows.slice(i, i + CHUNK_ROWS);
    const newestFirst = part.map((r) => r.json).reverse();
    const ends = endsOf(newestFirst, (t) => t.length);
    const byteEnds = endsOf(newestFirst, (t) => Buffer.byteLength(t));
    if (ends === undefined || byteEnds === undefined) return undefined;
    chunks.push({
      chunk: firstChunk + i / CHUNK_ROWS,
      first_at: part[0]!.booking_at,
      first_id: part[0]!.id,
      keys: part.map((r) => keyOf(r.booking_at, r.id)).reverse().join('\n'),
      ends,
      byte_ends: byteEnds,
      json: newestFirst.join(','),
    });
  }
  return chunks;
}

/** A chunk as a page read finds it. */
export type FoundChunk = Pick<TransactionChunkTable, 'chunk' | 'keys' | 'ends' | 'byte_ends' | 'json' | 'version'>;

/** Where a page is: newest first, `size` rows, after the account's `offset` newest or after the row at `after`. */
export interface ChunkPageQuery {
  /** The account's kept count of transactions. */
  total: number;
  size: number;
  offset: number;
  after?: Position;
}

/** A page assembled from chunks: its rows' JSON joined by commas (the body is `[${json}]`), its length in bytes of UTF-8, the rows found (at most `size + 1`), the position of its `size`th row. */
export interface ChunkPage {
  json: string;
  bytes: number;
  found: number;
  last: Position | null;
}

/** The `i`th end of `ends` (`END_DIGITS` digits each). */
const endAt = (ends: string, i: number) => Number(ends.slice(i * END_DIGITS, (i + 1) * END_DIGITS));

/** Where row `i` of a chunk starts, by `ends`: one after the comma that ends the row before. */
const startAt = (ends: string, i: number) => (i === 0 ? 0 : endAt(ends, i - 1) + 1);

/** The index of the line of `lines` that is `line` whole, or -1. */
function lineIndex(lines: string, line: string): number {
  for (let at = lines.indexOf(line); at >= 0; at = lines.indexOf(line, at + 1)) {
    if ((at === 0 || lines.charCodeAt(at - 1) === 10) && (at + line.length === lines.length || lines.charCodeAt(at + line.length) === 10)) {
      let index = 0;
      for (let nl = lines.indexOf('\n'); nl >= 0 && nl < at; nl = lines.indexOf('\n', nl + 1)) index++;
      return index;
    }
  }
  return -1;
}

/** Line `index` of `lines`. */
function lineAt(lines: string, index: number): string {
  let from = 0;
  for (let i = 0; i < index; i++) from = lines.indexOf('\n', from) + 1;
  const to = lines.indexOf('\n', from);
  return to < 0 ? lines.slice(from) : lines.slice(from, to);
}

/**
 * The page `q` asks for out of `chunks` (those a page query found), newest first; or undefined
 * when they do not hold it whole and as current: a chunk missing, of another rendering version, of
 * a row count the account's `total` contradicts, or the cursor's row not in them (it was removed).
 * The caller then reads the rows. Pure.
 */
export function pageFromChunks(chunks: readonly FoundChunk[], q: ChunkPageQuery): ChunkPage | undefined {
  const byNumber = new Map<number, FoundChunk>();
  for (const c of chunks) {
    // Every chunk but the account's last is full; the last holds the rest.
    const rows = Math.min(CHUNK_ROWS, q.total - c.chunk * CHUNK_ROWS);
    if (c.version !== TRANSACTION_JSON_VERSION || c.ends.length !== rows * END_DIGITS || c.byte_ends.length !== c.ends.length) return undefined;
    byNumber.set(c.chunk, c);
  }
  /** Rows in chunk `c`, and the index in it of the row at ascending position `p`. */
  const rowsIn = (c: FoundChunk) => c.ends.length / END_DIGITS;
  const indexOf = (c: FoundChunk, p: number) => c.chunk * CHUNK_ROWS + rowsIn(c) - 1 - p;

  // The ascending position just past the page's newest row.
  let top = Math.max(0, q.total - q.offset);
  if (q.after) {
    const key = keyOf(q.after.at, q.after.id);
    let found = false;
    for (const c of chunks) {
      const i = lineIndex(c.keys, key);
      if (i < 0) continue;
      top = c.chunk * CHUNK_ROWS + rowsIn(c) - 1 - i;
      found = true;
      break;
    }
    if (!found) return undefined;
  }
  const bottom = Math.max(0, top - q.size);
  const runs: string[] = [];
  let bytes = 0;
  // Newest first: from the chunk of the page's newest row down to that of its oldest, one run of each.
  for (let p = top - 1; p >= bottom; ) {
    const c = byNumber.get(Math.floor(p / CHUNK_ROWS));
    if (!c) return undefined;
    const lowest = Math.max(bottom, c.chunk * CHUNK_ROWS);
    const newest = indexOf(c, p);
    const oldest = indexOf(c, lowest);
    runs.push(c.json.slice(startAt(c.ends, newest), endAt(c.ends, oldest)));
    bytes += endAt(c.byte_ends, oldest) - startAt(c.byte_ends, newest);
    p = lowest - 1;
  }
  let last: Position | null = null;
  if (top - bottom === q.size && q.size > 0) {
    const c = byNumber.get(Math.floor(bottom / CHUNK_ROWS))!;
    const key = lineAt(c.keys, indexOf(c, bottom));
    const space = key.indexOf(' ');
    last = { at: key.slice(0, space), id: key.slice(space + 1) };
  }
  // Concatenated rather than joined: V8 keeps the pieces until the text is written, and copies them once then.
  let json = runs[0] ?? '';
  for (let i = 1; i < runs.length; i++) json += ',' + runs[i];
  return { json, bytes: bytes + Math.max(0, runs.length - 1), found: Math.min(top, q.size + 1), last };
}

/** A row of a chunk query: the account's kept count, and a chunk (nulls when none). */
export type ChunkRow = { kept: number | string | null; chunk: number | null; keys: string | null; ends: string | null; byte_ends: string | null; json: string | null; version: number | null };

/**
 * The account's kept count (null: the entity has no such account; -1: none kept) and the chunks a
 * page by number needs: those holding ascending positions `kept - offset - size` to
 * `kept - offset - 1`, ascending. One row per chunk, or one row of nulls. (The casts truncate:
 * better-sqlite3 binds a number as a real, which SQLite divides as one.)
 */
export const CHUNKS_BY_OFFSET = prepared<{ entityId: string; accountId: string; offset: number; size: number }, ChunkRow>((db, p) =>
  chunksOfAccount(
    db,
    p,
    sql<boolean>`c.chunk between cast((a.transaction_count - ${p('offset')} - ${p('size')}) / ${CHUNK_ROWS} as integer) and cast((a.transaction_count - ${p('offset')} - 1) / ${CHUNK_ROWS} as integer)`,
  ),
);

/**
 * The account's kept count (as `CHUNKS_BY_OFFSET`) and the chunk that holds the row at
 * (`at`, `id`), if it is stored, with the one before it: all a page of at most `CHUNK_ROWS` after
 * that row needs.
 */
export const CHUNKS_BY_CURSOR = prepared<{ entityId: string; accountId: string; at: string; id: string }, ChunkRow>((db, p) =>
  chunksOfAccount(db, p, sql<boolean>`c.chunk between ${holdingChunk(db, p)} - 1 and ${holdingChunk(db, p)}`),
);

/** Entity `entityId`'s account `accountId`'s kept count, with each of its chunks that `which` (of `c`, the chunk, and `a`, the account) holds. */
function chunksOfAccount(db: Kysely<DB>, p: <K extends 'accountId' | 'entityId'>(name: K) => string, which: RawBuilder<boolean>) {
  return db
    .selectFrom('accounts as a')
    .leftJoin('transaction_chunks as c', (join) => join.onRef('c.account_id', '=', 'a.id').on(which))
    .select([sql<number | null>`coalesce(a.transaction_count, -1)`.as('kept'), 'c.chunk', 'c.keys', 'c.ends', 'c.byte_ends', 'c.json', 'c.version'])
    .where('a.id', '=', p('accountId'))
    .where('a.entity_id', '=', p('entityId'))
    .orderBy('c.chunk');
}

/** The number of the account's last chunk whose first row is at or before (`at`, `id`): the chunk that row is in, if stored. */
function holdingChunk(db: Kysely<DB>, p: <K extends 'accountId' | 'at' | 'id'>(name: K) => string) {
  return db
    .selectFrom('transaction_chunks as h')
    .select('h.chunk')
    .where('h.account_id', '=', p('accountId'))
    .where((eb) => eb.or([eb('h.first_at', '<', p('at')), eb.and([eb('h.first_at', '=', p('at')), eb('h.first_id', '<=', p('id'))])]))
    .orderBy('h.first_at', 'desc')
    .orderBy('h.first_id', 'desc')
    .limit(1);
}

/** What a chunk query found: the account's kept count (undefined: no such account of the entity; null: none kept) and the chunks. */
export function foundChunks(rows: readonly ChunkRow[]): { count: number | null | undefined; chunks: FoundChunk[] } {
  if (rows.length === 0) return { count: undefined, chunks: [] };
  const kept = Number(rows[0]!.kept);
  const chunks: FoundChunk[] = [];
  for (const r of rows) if (r.chunk !== null) chunks.push({ chunk: r.chunk, keys: r.keys!, ends: r.ends!, byte_ends: r.byte_ends!, json: r.json!, version: r.version! });
  return { count: kept < 0 ? null : kept, chunks };
}

/** Chunk rows written per statement. */
const INSERT_BATCH = 20;

/**
 * Rewrites account `accountId`'s chunks from the one holding the earliest row a write changed on,
 * inside that write's transaction: `changedFrom` is the earliest `booking_at` added, rewritten (old
 * or new) or removed; null rewrites them all. Chunks before it hold only rows before it, so they
 * stand, unless one is missing (an account written before migration 017) or of another rendering
 * version, in which case all are rewritten. When a row to chunk lacks JSON of the current rendering version, the account keeps no
 * chunks from there on, and its pages are read from the rows until a later write (or the JSON
 * backfill) gives it them. `all`, with `changedFrom` null, is every row the account has (its first
 * write), so none is read back. Returns whether it wrote chunks.
 */
export async function rewriteChunks(trx: Kysely<DB>, entityId: string, accountId: string, changedFrom: string | null, all?: readonly ChunkSource[]): Promise<boolean> {
  let from: { chunk: number; first_at: string; first_id: string } | undefined;
  if (changedFrom !== null) {
    const holding = await trx
      .selectFrom('transaction_chunks')
      .select(['chunk', 'first_at', 'first_id'])
      .where('account_id', '=', accountId)
      .where('first_at', '<', changedFrom)
      .orderBy('first_at', 'desc')
      .orderBy('first_id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (holding) {
      const { n } = await trx
        .selectFrom('transaction_chunks')
        .select(sql<number>`count(*)`.as('n'))
        .where('account_id', '=', accountId)
        .where('chunk', '<', holding.chunk)
        .where('version', '=', TRANSACTION_JSON_VERSION)
        .executeTakeFirstOrThrow();
      if (Number(n) === holding.chunk) from = holding;
    }
  }
  await trx.deleteFrom('transaction_chunks').where('account_id', '=', accountId).where('chunk', '>=', from?.chunk ?? 0).execute();
  const sources = all ? [...all].sort(byKey) : await storedSources(trx, accountId, from);
  const chunks = sources && chunksOf(sources, from?.chunk ?? 0);
  if (!chunks) return false;
  for (let i = 0; i < chunks.length; i += INSERT_BATCH) {
    await trx
      .insertInto('transaction_chunks')
      .values(chunks.slice(i, i + INSERT_BATCH).map((c) => ({ ...c, account_id: accountId, entity_id: entityId, version: TRANSACTION_JSON_VERSION })))
      .execute();
  }
  return true;
}

/**
 * Ascending (booking_at, id), as the database orders them: every `booking_at` is ISO 8601 UTC to
 * the millisecond and every id a UUID in lower case, whose order as text is the same in SQLite's
 * binary collation and in PostgreSQL's locale ones (test/api/transaction-json.test.ts checks it).
 */
function byKey(a: ChunkSource, b: ChunkSource): number {
  if (a.booking_at !== b.booking_at) return a.booking_at < b.booking_at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The account's stored rows from the first of chunk `from` on (all of them without it), ascending; undefined when one lacks JSON of the current version. */
async function storedSources(trx: Kysely<DB>, accountId: string, from: { first_at: string; first_id: string } | undefined): Promise<ChunkSource[] | undefined> {
  let query = trx.selectFrom('transactions').select(['id', 'booking_at', 'api_json', 'api_json_version']).where('account_id', '=', accountId);
  if (from) {
    const { first_at, first_id } = from;
    query = query.where((eb) => eb.or([eb('booking_at', '>', first_at), eb.and([eb('booking_at', '=', first_at), eb('id', '>=', first_id)])]));
  }
  const sources: ChunkSource[] = [];
  for (const r of await query.orderBy('booking_at').orderBy('id').execute()) {
    if (r.api_json === null || r.api_json_version !== TRANSACTION_JSON_VERSION) return undefined;
    sources.push({ id: r.id, booking_at: r.booking_at, json: r.api_json });
  }
  return sources;
}

/**
 * Gives account `accountId` its chunks if it has none of the current rendering version (it was
 * last written before migration 017, or by an openlean whose rendering was another), inside a
 * write's transaction that changed none of its transactions, or the JSON backfill's. Returns
 * whether it wrote chunks.
 */
export async function ensureChunks(trx: Kysely<DB>, entityId: string, accountId: string): Promise<boolean> {
  const first = await trx
    .selectFrom('transaction_chunks')
    .select('chunk')
    .where('account_id', '=', accountId)
    .where('chunk', '=', 0)
    .where('version', '=', TRANSACTION_JSON_VERSION)
    .executeTakeFirst();
  if (first) return false;
  const any = await trx.selectFrom('transactions').select('id').where('account_id', '=', accountId).limit(1).executeTakeFirst();
  return any !== undefined && (await rewriteChunks(trx, entityId, accountId, null));
}

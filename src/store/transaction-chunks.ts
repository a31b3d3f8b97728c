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
export const END_DIGITS = 8;
export const MAX_END = 10 ** END_DIGITS - 1;

/**
 * The length of `ends` or `byte_ends` of table alias `alias`, in a PostgreSQL query: their digits are
 * ASCII, so their bytes are their characters, and `octet_length` reads that off the value's header
 * where `length` counts a UTF-8 text's characters one by one (13 % of PostgreSQL's CPU for a first
 * page from a head, which asks it about ten times; docs/decisions/024).
 */
export const endsLength = (alias: 'c' | 'h', column: 'ends' | 'byte_ends') => sql`octet_length(${sql.ref(`${alias}.${column}`)})`;

/** `n` as one end of `ends`/`byte_ends`: `END_DIGITS` digits, zero-padded. */
export const endText = (n: number) => String(n).padStart(END_DIGITS, '0');

/**
 * Whether a stored run of rows (a chunk, or a head) holds `rows` rows as current: of this
 * rendering version, with an end per row in `ends` and in `byte_ends`. Anything else was written
 * for other rows or another rendering, and cutting it would cut text at the wrong places.
 */
export function holdsRows(run: { version: number; ends: string; byte_ends: string }, rows: number): boolean {
  return run.version === TRANSACTION_JSON_VERSION && run.ends.length === rows * END_DIGITS && run.byte_ends.length === run.ends.length;
}

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
    out += endText(end);
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

/*
 * Reading a page, in the way each dialect does cheapest (measured in docs/decisions/024). SQLite
 * runs in process: a chunk query hands whole chunks over, and JavaScript cuts the page out of them
 * (`CHUNKS_BY_OFFSET`, `CHUNKS_BY_CURSOR`, `pageFromChunks`); cutting them in SQLite cost more than
 * it saved. PostgreSQL cuts the page's runs out itself, so that only the page's bytes cross the
 * socket (`CHUNK_RUNS_BY_OFFSET`, `CHUNK_RUNS_BY_CURSOR`, `pageFromRuns`).
 */

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
export const endAt = (ends: string, i: number) => Number(ends.slice(i * END_DIGITS, (i + 1) * END_DIGITS));

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

/** Line `index` of `lines`, or undefined. */
export function lineAt(lines: string, index: number): string | undefined {
  let from = 0;
  for (let i = 0; i < index; i++) {
    from = lines.indexOf('\n', from) + 1;
    if (from === 0) return undefined;
  }
  const to = lines.indexOf('\n', from);
  return to < 0 ? lines.slice(from) : lines.slice(from, to);
}

/** The position a chunk key (`at id`) names, or undefined when it is not one. */
export function positionOf(key: string | undefined): Position | undefined {
  const space = key?.indexOf(' ') ?? -1;
  return space < 0 ? undefined : { at: key!.slice(0, space), id: key!.slice(space + 1) };
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
    if (!holdsRows(c, rows)) return undefined;
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
    last = positionOf(lineAt(c.keys, indexOf(c, bottom))) ?? null;
    if (last === null) return undefined;
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

/**
 * A row of a PostgreSQL chunk runs query (`CHUNK_RUNS_BY_OFFSET`, `CHUNK_RUNS_BY_CURSOR`): the account's
 * kept count (-1: none kept) and `top`, the ascending position just past the page's newest row
 * (null: the cursor's row is not in the chunks); then one of the chunks the page spans, ascending,
 * or nulls when it spans none or they are missing. `run` is the page's part of the chunk, cut out
 * by the database by the chunk's `byte_ends` (so only the page's bytes cross to this process), and
 * `run_bytes` its length in bytes of UTF-8; both null when the chunk is not as its ends say.
 * `keys` and `oldest` (the index in the chunk of the run's oldest row) only on the chunk holding
 * the page's oldest row: its key is the page's last.
 */
export type ChunkRunRow = {
  kept: number | string;
  top: number | string | null;
  chunk: number | null;
  version: number | null;
  ends_length: number | null;
  byte_ends_length: number | null;
  run: string | null;
  run_bytes: number | string | null;
  keys: string | null;
  oldest: number | string | null;
};

/**
 * The page `q` asks for out of the rows of a chunk page query, newest first; undefined when they
 * do not hold it whole and as current: a chunk missing, of another rendering version, of a row
 * count the account's kept count contradicts, or the cursor's row not in them (removed). The
 * caller then reads the transactions' rows. Pure; the rows of an account the entity does not have
 * are none, and those of an account without a kept count say -1: both are the caller's to tell.
 */
export function pageFromRuns(rows: readonly ChunkRunRow[], q: Omit<ChunkPageQuery, 'total'>): ChunkPage | undefined {
  const kept = Number(rows[0]?.kept ?? -1);
  const top = rows[0]?.top;
  if (kept < 0 || top === null || top === undefined) return undefined;
  const t = Number(top);
  const bottom = Math.max(0, t - q.size);
  const runs: string[] = [];
  let bytes = 0;
  let last: Position | null = null;
  // The chunks the page spans, newest first: each must be there, current and whole.
  let expect = Math.floor((t - 1) / CHUNK_ROWS);
  for (let i = rows.length - 1; i >= 0 && t > bottom; i--) {
    const r = rows[i]!;
    if (r.chunk === null) return undefined;
    const inChunk = Math.min(CHUNK_ROWS, kept - r.chunk * CHUNK_ROWS);
    if (r.chunk !== expect || r.version !== TRANSACTION_JSON_VERSION || r.ends_length !== inChunk * END_DIGITS || r.byte_ends_length !== r.ends_length || r.run === null) return undefined;
    runs.push(r.run);
    bytes += Number(r.run_bytes);
    if (r.chunk * CHUNK_ROWS <= bottom && t - bottom === q.size) {
      last = positionOf(r.keys === null ? undefined : lineAt(r.keys, Number(r.oldest))) ?? null;
      if (last === null) return undefined;
    }
    expect--;
  }
  if (t > bottom && expect !== Math.floor(bottom / CHUNK_ROWS) - 1) return undefined;
  // Concatenated rather than joined: V8 keeps the pieces until the text is written, and copies them once then.
  let json = runs[0] ?? '';
  for (let i = 1; i < runs.length; i++) json += ',' + runs[i];
  return { json, bytes: bytes + Math.max(0, runs.length - 1), found: Math.min(t, q.size + 1), last };
}

/**
 * The page's rows (`ChunkRunRow`) out of `account` (a query of `id`, `kept` and `top`: the page is
 * the `size` ascending positions below `top`): each chunk they span, with its run cut out by the
 * database. A chunk whose row count, ends or version is not what the account says gets no run (the
 * page then reads the rows): cutting it would cut text at the wrong bytes.
 */
function runsOf(db: Kysely<DB>, account: RawBuilder<unknown>, size: number) {
  const rows = sql.lit(CHUNK_ROWS);
  const digits = sql.lit(END_DIGITS);
  // Ascending position of the chunk's newest row; indexes in the chunk of the run's newest and oldest rows.
  const high = sql`(c.chunk * ${rows} + ${endsLength('c', 'ends')} / ${digits} - 1)`;
  const newest = sql`(${high} - least(p.top - 1, ${high}))`;
  const oldest = sql`(${high} - greatest(p.bottom, c.chunk * ${rows}))`;
  const endOf = (i: RawBuilder<unknown>) => sql`cast(substr(c.byte_ends, ${i} * ${digits} + 1, ${digits}) as integer)`;
  const from = sql`(case when ${newest} = 0 then 0 else ${endOf(sql`(${newest} - 1)`)} + 1 end)`;
  const to = endOf(oldest);
  const whole = sql`(p.top > p.bottom and c.version = ${TRANSACTION_JSON_VERSION} and ${endsLength('c', 'byte_ends')} = ${endsLength('c', 'ends')}
    and ${endsLength('c', 'ends')} = ${digits} * least(${rows}, p.kept - c.chunk * ${rows}))`;
  // Materialized: inlined, the account query (a cursor's search of its chunk) ran once per use of
  // `top` and `bottom` in the join and the cuts, about twenty times a row.
  const query = sql<ChunkRunRow>`with found as materialized (${account}),
    p as materialized (select id, kept, top, greatest(0, top - ${size}) as bottom from found)
  select p.kept, p.top, c.chunk, c.version, ${endsLength('c', 'ends')} as ends_length, ${endsLength('c', 'byte_ends')} as byte_ends_length,
    case when ${whole} then convert_from(substring(convert_to(c.json, 'UTF8') from ${from} + 1 for ${to} - ${from}), 'UTF8') end as run,
    case when ${whole} then ${to} - ${from} end as run_bytes,
    case when c.chunk * ${rows} <= p.bottom then c.keys end as keys,
    ${oldest} as oldest
  from p
  left join transaction_chunks c on c.account_id = p.id
    and c.chunk between cast(p.bottom / ${rows} as integer) and cast((p.top - 1) / ${rows} as integer)
  order by c.chunk`;
  return { compile: () => query.compile(db) };
}

/**
 * The rows of the page of `size` rows after the account's `offset` newest (docs/decisions/024),
 * one per chunk it spans; none when the entity has no such account. Planned once: its plan is
 * two primary-key lookups whatever the values (`plan: 'generic'`).
 */
export const CHUNK_RUNS_BY_OFFSET = prepared<{ entityId: string; accountId: string; offset: number; size: number }, ChunkRunRow>(
  (db, p) => {
    const kept = sql`coalesce(a.transaction_count, -1)`;
    return runsOf(
      db,
      sql`select a.id, ${kept} as kept, greatest(0, ${kept} - ${p('offset')}) as top from accounts a where a.id = ${p('accountId')} and a.entity_id = ${p('entityId')}`,
      p('size'),
    );
  },
  { plan: 'generic' },
);

/**
 * As `CHUNK_RUNS_BY_OFFSET`, the page of `size` rows after the row whose chunk key is `key`
 * (`${booking_at} ${id}`): `top` is that row's position, found in its chunk's `keys` (the last
 * chunk whose first row is at or before it); null when it is not there.
 */
export const CHUNK_RUNS_BY_CURSOR = prepared<{ entityId: string; accountId: string; at: string; id: string; key: string; size: number }, ChunkRunRow>(
  (db, p) => {
    // The index of the cursor's line in the chunk's keys; PostgreSQL reads the TOASTed keys once
    // this way, where a search by position used them seven times and fetched them each time.
    const index = sql`(array_position(string_to_array(h.keys, chr(10)), cast(${p('key')} as text)) - 1)`;
    const top = sql`(select h.chunk * ${sql.lit(CHUNK_ROWS)} + ${endsLength('h', 'ends')} / ${sql.lit(END_DIGITS)} - 1 - ${index}
      from transaction_chunks h where h.account_id = a.id and h.chunk = (${holdingChunkOf(p)}))`;
    return runsOf(
      db,
      sql`select a.id, coalesce(a.transaction_count, -1) as kept, ${top} as top from accounts a where a.id = ${p('accountId')} and a.entity_id = ${p('entityId')}`,
      p('size'),
    );
  },
  { plan: 'generic' },
);

/** The chunk key of the row at `position`, as a cursor query takes it. */
export const chunkKey = (position: Position) => keyOf(position.at, position.id);

/**
 * The number of the last chunk of `a`'s account whose first row is at or before (`at`, `id`): the
 * chunk that row is in, if stored. Of `a`, not of the chunk it picks, so that the pick is a
 * primary-key lookup rather than a filter run on every chunk of the account.
 */
function holdingChunkOf(p: <K extends 'at' | 'id'>(name: K) => string) {
  return sql`select k.chunk from transaction_chunks k
    where k.account_id = a.id and (k.first_at < ${p('at')} or (k.first_at = ${p('at')} and k.first_id <= ${p('id')}))
    order by k.first_at desc, k.first_id desc limit 1`;
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

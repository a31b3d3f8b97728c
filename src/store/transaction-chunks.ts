import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';
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

/** Where a page is: newest first, `size` rows, after the account's `offset` newest or after the row at `after`. */
export interface ChunkPageQuery {
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

/**
 * A row of a chunk page query (`CHUNK_PAGE_BY_OFFSET`, `CHUNK_PAGE_BY_CURSOR`): the account's
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

/** Line `index` of `lines`, or undefined. */
function lineAt(lines: string, index: number): string | undefined {
  let from = 0;
  for (let i = 0; i < index; i++) {
    from = lines.indexOf('\n', from) + 1;
    if (from === 0) return undefined;
  }
  const to = lines.indexOf('\n', from);
  return to < 0 ? lines.slice(from) : lines.slice(from, to);
}

/**
 * The page `q` asks for out of the rows of a chunk page query, newest first; undefined when they
 * do not hold it whole and as current: a chunk missing, of another rendering version, of a row
 * count the account's kept count contradicts, or the cursor's row not in them (removed). The
 * caller then reads the transactions' rows. Pure; the rows of an account the entity does not have
 * are none, and those of an account without a kept count say -1: both are the caller's to tell.
 */
export function pageFromRuns(rows: readonly ChunkRunRow[], q: ChunkPageQuery): ChunkPage | undefined {
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
      const key = r.keys === null ? undefined : lineAt(r.keys, Number(r.oldest));
      const space = key?.indexOf(' ') ?? -1;
      if (space < 0) return undefined;
      last = { at: key!.slice(0, space), id: key!.slice(space + 1) };
    }
    expect--;
  }
  if (t > bottom && expect !== Math.floor(bottom / CHUNK_ROWS) - 1) return undefined;
  // Concatenated rather than joined: V8 keeps the pieces until the text is written, and copies them once then.
  let json = runs[0] ?? '';
  for (let i = 1; i < runs.length; i++) json += ',' + runs[i];
  return { json, bytes: bytes + Math.max(0, runs.length - 1), found: Math.min(t, q.size + 1), last };
}

/** SQL of the dialect `db` speaks, where SQLite's and PostgreSQL's differ. */
function dialectOf(db: Kysely<DB>) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    greatest: sql.raw(postgres ? 'greatest' : 'max'),
    least: sql.raw(postgres ? 'least' : 'min'),
    /** The UTF-8 bytes `from` (0-based) to `to` of `text`, as text. */
    bytes: (text: RawBuilder<unknown>, from: RawBuilder<unknown>, to: RawBuilder<unknown>) =>
      postgres
        ? sql<string>`convert_from(substring(convert_to(${text}, 'UTF8') from ${from} + 1 for ${to} - ${from}), 'UTF8')`
        : sql<string>`cast(substr(cast(${text} as blob), ${from} + 1, ${to} - ${from}) as text)`,
    /**
     * The 0-based index of the line of `lines` (lines joined by `newline`) that is `line` whole, or
     * null. PostgreSQL reads `lines` once: each use of a TOASTed value fetches it again, and the
     * search below uses it seven times; SQLite has it in the row it reads.
     */
    lineIndex: (lines: RawBuilder<unknown>, line: RawBuilder<unknown>, newline: RawBuilder<unknown>) => {
      if (postgres) return sql<number | null>`(array_position(string_to_array(${lines}, ${newline}), ${line}) - 1)`;
      const at = sql`instr(${lines}, ${line})`;
      const before = sql`substr(${lines}, 1, ${at} - 1)`;
      return sql<number | null>`(case when ${at} > 0
        and (${at} = 1 or substr(${lines}, ${at} - 1, 1) = ${newline})
        and (${at} + length(${line}) - 1 = length(${lines}) or substr(${lines}, ${at} + length(${line}), 1) = ${newline})
        then length(${before}) - length(replace(${before}, ${newline}, '')) end)`;
    },
  };
}

/**
 * The page's rows (`ChunkRunRow`) out of `account` (a query of `id`, `kept` and `top`: the page is
 * the `size` ascending positions below `top`): each chunk they span, with its run cut out by the
 * database. A chunk whose row count, ends or version is not what the account says gets no run (the
 * page then reads the rows): cutting it would cut text at the wrong bytes.
 */
function runsOf(db: Kysely<DB>, account: RawBuilder<unknown>, size: number) {
  const d = dialectOf(db);
  const rows = sql.lit(CHUNK_ROWS);
  const digits = sql.lit(END_DIGITS);
  // Ascending position of the chunk's newest row; indexes in the chunk of the run's newest and oldest rows.
  const high = sql`(c.chunk * ${rows} + length(c.ends) / ${digits} - 1)`;
  const newest = sql`(${high} - ${d.least}(p.top - 1, ${high}))`;
  const oldest = sql`(${high} - ${d.greatest}(p.bottom, c.chunk * ${rows}))`;
  const endOf = (i: RawBuilder<unknown>) => sql`cast(substr(c.byte_ends, ${i} * ${digits} + 1, ${digits}) as integer)`;
  const from = sql`(case when ${newest} = 0 then 0 else ${endOf(sql`(${newest} - 1)`)} + 1 end)`;
  const to = endOf(oldest);
  const whole = sql`(p.top > p.bottom and c.version = ${TRANSACTION_JSON_VERSION} and length(c.byte_ends) = length(c.ends)
    and length(c.ends) = ${digits} * ${d.least}(${rows}, p.kept - c.chunk * ${rows}))`;
  // Materialized: inlined, the account query (a cursor's search of its chunk) ran once per use of
  // `top` and `bottom` in the join and the cuts, about twenty times a row.
  const query = sql<ChunkRunRow>`with found as materialized (${account}),
    p as materialized (select id, kept, top, ${d.greatest}(0, top - ${size}) as bottom from found)
  select p.kept, p.top, c.chunk, c.version, length(c.ends) as ends_length, length(c.byte_ends) as byte_ends_length,
    case when ${whole} then ${d.bytes(sql`c.json`, from, to)} end as run,
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
export const CHUNK_PAGE_BY_OFFSET = prepared<{ entityId: string; accountId: string; offset: number; size: number }, ChunkRunRow>(
  (db, p) => {
    const d = dialectOf(db);
    const kept = sql`coalesce(a.transaction_count, -1)`;
    return runsOf(
      db,
      sql`select a.id, ${kept} as kept, ${d.greatest}(0, ${kept} - ${p('offset')}) as top from accounts a where a.id = ${p('accountId')} and a.entity_id = ${p('entityId')}`,
      p('size'),
    );
  },
  { plan: 'generic' },
);

/**
 * As `CHUNK_PAGE_BY_OFFSET`, the page of `size` rows after the row whose chunk key is `key`
 * (`${booking_at} ${id}`): `top` is that row's position, found in its chunk's `keys` (the last
 * chunk whose first row is at or before it); null when it is not there.
 */
export const CHUNK_PAGE_BY_CURSOR = prepared<{ entityId: string; accountId: string; at: string; id: string; key: string; newline: string; size: number }, ChunkRunRow>(
  (db, p) => {
    const d = dialectOf(db);
    const index = d.lineIndex(sql`h.keys`, sql`cast(${p('key')} as text)`, sql`cast(${p('newline')} as text)`);
    const top = sql`(select h.chunk * ${sql.lit(CHUNK_ROWS)} + length(h.ends) / ${sql.lit(END_DIGITS)} - 1 - ${index}
      from transaction_chunks h where h.account_id = a.id and h.chunk = (${holdingChunk(p)}))`;
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
function holdingChunk(p: <K extends 'at' | 'id'>(name: K) => string) {
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

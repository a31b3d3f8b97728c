import { sql, type Kysely } from 'kysely';
import type { Position } from '../domain/cursor.ts';
import { prepared } from './prepared.ts';
import type { DB, TransactionHeadTable } from './schema.ts';
import { CHUNK_ROWS, END_DIGITS, endAt, endsLength, endText, ensureChunks, holdsRows, lineAt, MAX_END, positionOf, type ChunkPage, type FoundChunk } from './transaction-chunks.ts';
import { TRANSACTION_JSON_VERSION } from './transaction-rows.ts';

/*
 * An account's newest transactions kept as a first page answers them (docs/decisions/024, "heads"):
 * the JSON array of its newest `HEAD_ROWS` rows, newest first, with each row's key and ends, like a
 * chunk's. Most reads of bank data are first reads of a first page after a refresh; from the
 * chunks, such a page is two chunk rows (about twice the page's text, decoded by SQLite into
 * JavaScript strings) joined into a new string. From the head it is one row, and a page of all of
 * its rows is the stored text itself, sent as it is. Made from the account's last two chunks,
 * whenever they are written, in the same transaction.
 */

/** Rows in a head: the largest first page it answers. */
export const HEAD_ROWS = CHUNK_ROWS;

/** A head as stored, without its account's ids and version. */
export type HeadContent = Pick<TransactionHeadTable, 'keys' | 'ends' | 'byte_ends' | 'body'>;

/** A head as a page read finds it. */
export type FoundHead = HeadContent & Pick<TransactionHeadTable, 'version'>;

/** The first `count` lines of `lines` (newline-separated), or undefined when it has fewer. */
function firstLines(lines: string, count: number): string | undefined {
  let at = -1;
  for (let i = 0; i < count; i++) {
    at = lines.indexOf('\n', at + 1);
    if (at < 0) return i === count - 1 ? lines : undefined;
  }
  return lines.slice(0, at);
}

/**
 * The head of an account of `total` transactions, out of its chunks (at least its last and, when
 * that holds fewer than `HEAD_ROWS` rows, the one before it); undefined when it has none, or the
 * chunks do not hold its newest rows whole and current (then it keeps no head, and its first pages
 * are cut from the chunks or read from the rows). Pure.
 */
export function headOf(chunks: readonly FoundChunk[], total: number): HeadContent | undefined {
  const wanted = Math.min(HEAD_ROWS, total);
  if (wanted <= 0) return undefined;
  const runs: string[] = [];
  const keys: string[] = [];
  let ends = '';
  let byteEnds = '';
  // Where the next run starts in the body, in UTF-16 code units and in bytes: after the `[`.
  let length = 1;
  let bytes = 1;
  let taken = 0;
  for (let n = Math.floor((total - 1) / CHUNK_ROWS); taken < wanted; n--) {
    const c = chunks.find((x) => x.chunk === n);
    const rows = Math.min(CHUNK_ROWS, total - n * CHUNK_ROWS);
    if (!c || !holdsRows(c, rows)) return undefined;
    // A chunk is newest first: the head takes its first rows.
    const k = Math.min(rows, wanted - taken);
    const lines = firstLines(c.keys, k);
    if (lines === undefined) return undefined;
    const comma = taken > 0 ? 1 : 0;
    for (let i = 0; i < k; i++) {
      ends += endText(length + comma + endAt(c.ends, i));
      byteEnds += endText(bytes + comma + endAt(c.byte_ends, i));
    }
    runs.push(c.json.slice(0, endAt(c.ends, k - 1)));
    keys.push(lines);
    length += comma + endAt(c.ends, k - 1);
    bytes += comma + endAt(c.byte_ends, k - 1);
    taken += k;
  }
  if (bytes + 1 > MAX_END) return undefined;
  return { keys: keys.join('\n'), ends, byte_ends: byteEnds, body: `[${runs.join(',')}]` };
}

/** A page cut from a head: a chunk page (its `json` the rows without the brackets) with its whole `body`. */
export type HeadPage = ChunkPage & { body: string };

/**
 * The first page of `size` rows (offset 0, no cursor) of an account of `total` transactions, out
 * of its head; undefined when the head cannot answer it: stale (another rendering version, or not
 * the rows `total` says it holds) or `size` above its rows while the account has more. A page of
 * all its rows is its `body` as stored. Pure.
 */
export function pageFromHead(head: FoundHead, q: { total: number; size: number }): HeadPage | undefined {
  const rows = Math.min(HEAD_ROWS, q.total);
  if (q.total <= 0 || !holdsRows(head, rows)) return undefined;
  const page = headPageOf(rows, q, (n) => lineAt(head.keys, n - 1));
  if (page === undefined) return undefined;
  const { n, found, last } = page;
  const to = endAt(head.ends, n - 1);
  const body = n === rows ? head.body : `${head.body.slice(0, to)}]`;
  if (n === rows && to !== head.body.length - 1) return undefined;
  return { body, json: head.body.slice(1, to), bytes: endAt(head.byte_ends, n - 1) - 1, found, last };
}

/**
 * What a first page of `q.size` rows out of a head of `rows` rows shows, for an account of
 * `q.total`: its row count `n`, the `found` a page reports, and the position of its last row when
 * the page needs one for its next cursor (from `lastKey(n)`, the key of the head's row `n`).
 * Undefined when the head cannot answer: `size` above its rows while the account has more, or a
 * key that is not one. Shared by both dialects' head readers.
 */
function headPageOf(rows: number, q: { total: number; size: number }, lastKey: (n: number) => string | undefined): { n: number; found: number; last: Position | null } | undefined {
  if (q.size <= 0 || (q.size > rows && rows < q.total)) return undefined;
  const n = Math.min(q.size, rows);
  let last: Position | null = null;
  if (q.total >= q.size) {
    last = positionOf(lastKey(n)) ?? null;
    if (last === null) return undefined;
  }
  return { n, found: Math.min(q.total, q.size + 1), last };
}

/** A row of `HEAD_PAGE`: the account's kept count (-1: none kept) and its head (nulls when none). */
export type HeadRow = { kept: number | string; keys: string | null; ends: string | null; byte_ends: string | null; body: string | null; version: number | null };

/** Entity `entityId`'s account `accountId`'s kept count and head; no row when the entity has no such account. */
export const HEAD_PAGE = prepared<{ entityId: string; accountId: string }, HeadRow>((db, p) =>
  db
    .selectFrom('accounts as a')
    .leftJoin('transaction_heads as h', 'h.account_id', 'a.id')
    .select([sql<number>`coalesce(a.transaction_count, -1)`.as('kept'), 'h.keys', 'h.ends', 'h.byte_ends', 'h.body', 'h.version'])
    .where('a.id', '=', p('accountId'))
    .where('a.entity_id', '=', p('entityId')),
);

/**
 * A row of `HEAD_PAGE_CUT`: the account's kept count (-1: none kept), its head's version and ends'
 * lengths, and, when the head is whole and current, the page's `body` as the database cut it (the
 * head's text itself for a page of all its rows), its rows' text's length in bytes of UTF-8 without
 * the brackets, and the key of its last row. Nulls where the account has no head.
 */
export type HeadCutRow = {
  kept: number | string;
  version: number | null;
  ends_length: number | null;
  byte_ends_length: number | null;
  body: string | null;
  bytes: number | string | null;
  last_key: string | null;
};

/**
 * As `HEAD_PAGE`, for PostgreSQL: the database cuts the first `size` rows out of the head (by its
 * `byte_ends`), so that only the page's bytes cross the socket, as the chunk runs queries do
 * (docs/decisions/024). Cut only when the head's version and ends are what the account's count
 * says: cutting a head that is not would cut text at the wrong bytes. Planned once: a primary-key
 * lookup whatever the values.
 */
export const HEAD_PAGE_CUT = prepared<{ entityId: string; accountId: string; size: number }, HeadCutRow>(
  (db, p) => {
    const digits = sql.lit(END_DIGITS);
    const rows = sql`(${endsLength('h', 'ends')} / ${digits})`;
    const n = sql`least(cast(${p('size')} as integer), ${rows})`;
    const byteEnd = sql`cast(substr(h.byte_ends, (${n} - 1) * ${digits} + 1, ${digits}) as integer)`;
    const whole = sql`(h.version = ${TRANSACTION_JSON_VERSION} and a.transaction_count > 0 and ${endsLength('h', 'byte_ends')} = ${endsLength('h', 'ends')}
      and ${endsLength('h', 'ends')} = ${digits} * least(${sql.lit(HEAD_ROWS)}, a.transaction_count))`;
    const query = sql<HeadCutRow>`select coalesce(a.transaction_count, -1) as kept, h.version,
      ${endsLength('h', 'ends')} as ends_length, ${endsLength('h', 'byte_ends')} as byte_ends_length,
      case when ${whole} then (case when ${n} = ${rows} then h.body
        else convert_from(substring(convert_to(h.body, 'UTF8') from 1 for ${byteEnd}), 'UTF8') || ']' end) end as body,
      case when ${whole} then ${byteEnd} - 1 end as bytes,
      case when ${whole} then split_part(h.keys, chr(10), ${n}) end as last_key
    from accounts a left join transaction_heads h on h.account_id = a.id
    where a.id = ${p('accountId')} and a.entity_id = ${p('entityId')}`;
    return { compile: () => query.compile(db) };
  },
  { plan: 'generic' },
);

/**
 * The first page of `size` rows of an account of `total` transactions out of a `HEAD_PAGE_CUT`
 * row; undefined when the head cannot answer it (missing, stale, not whole, or `size` above its
 * rows while the account has more). Pure.
 */
export function pageFromHeadCut(row: HeadCutRow, q: { total: number; size: number }): HeadPage | undefined {
  if (row.body === null || row.ends_length === null || q.total <= 0) return undefined;
  const rows = row.ends_length / END_DIGITS;
  if (rows !== Math.min(HEAD_ROWS, q.total)) return undefined;
  // The database cut the page at its `size` rows and took its last key.
  const page = headPageOf(rows, q, () => row.last_key ?? undefined);
  if (page === undefined) return undefined;
  return { body: row.body, json: row.body.slice(1, -1), bytes: Number(row.bytes), found: page.found, last: page.last };
}

/** `HEAD_PAGE`'s head, when the row has one. */
export function foundHead(row: HeadRow): FoundHead | undefined {
  return row.body === null ? undefined : { keys: row.keys!, ends: row.ends!, byte_ends: row.byte_ends!, body: row.body, version: row.version! };
}

/**
 * Writes account `accountId`'s head from its last two chunks as they now are, inside the
 * transaction that wrote them (or found them without one); none when they cannot make one (no
 * transactions, chunks missing or stale). Returns whether it wrote one.
 */
export async function rewriteHead(trx: Kysely<DB>, entityId: string, accountId: string): Promise<boolean> {
  await trx.deleteFrom('transaction_heads').where('account_id', '=', accountId).execute();
  const account = await trx.selectFrom('accounts').select('transaction_count').where('id', '=', accountId).executeTakeFirst();
  const total = Number(account?.transaction_count ?? 0);
  if (total <= 0) return false;
  const lastChunk = Math.floor((total - 1) / CHUNK_ROWS);
  const chunks = await trx
    .selectFrom('transaction_chunks')
    .select(['chunk', 'keys', 'ends', 'byte_ends', 'json', 'version'])
    .where('account_id', '=', accountId)
    .where('chunk', '>=', lastChunk - 1)
    .where('chunk', '<=', lastChunk)
    .execute();
  const head = headOf(chunks, total);
  if (!head) return false;
  await trx.insertInto('transaction_heads').values({ ...head, account_id: accountId, entity_id: entityId, version: TRANSACTION_JSON_VERSION }).execute();
  return true;
}

/**
 * Gives account `accountId` what it keeps rendered if it lacks it, inside a write's transaction
 * that changed none of its transactions, or the JSON backfill's: its chunks, if it has none of the
 * current rendering version (`ensureChunks`), and then its head, made again when the chunks were,
 * else only if it has none of the current rendering version (it was last written before migration
 * 018). Returns whether it wrote either.
 */
export async function ensureRendered(trx: Kysely<DB>, entityId: string, accountId: string): Promise<boolean> {
  if (await ensureChunks(trx, entityId, accountId)) {
    await rewriteHead(trx, entityId, accountId);
    return true;
  }
  const head = await trx.selectFrom('transaction_heads').select('version').where('account_id', '=', accountId).executeTakeFirst();
  return head?.version !== TRANSACTION_JSON_VERSION && (await rewriteHead(trx, entityId, accountId));
}

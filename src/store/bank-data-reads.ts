import { sql, type Kysely, type Selectable } from 'kysely';
import type { AccountIdentity, Balance, Beneficiary, DirectDebit, Identity, ScheduledPayment, StandingOrder } from '../domain/bank-data.ts';
import type { Position } from '../domain/cursor.ts';
import { ENTITY_LEVEL, type ListResource } from './bank-data.ts';
import type { Store } from './database.ts';
import { prepared, type PreparedQuery } from './prepared.ts';
import type { DB, TransactionTable } from './schema.ts';
import {
  CHUNK_ROWS,
  CHUNK_RUNS_BY_CURSOR,
  CHUNK_RUNS_BY_OFFSET,
  CHUNKS_BY_CURSOR,
  CHUNKS_BY_OFFSET,
  chunkKey,
  foundChunks,
  pageFromChunks,
  pageFromRuns,
  type ChunkRow,
  type ChunkRunRow,
} from './transaction-chunks.ts';
import { foundHead, HEAD_PAGE, HEAD_PAGE_CUT, HEAD_ROWS, pageFromHead, pageFromHeadCut, type HeadPage, type HeadRow } from './transaction-heads.ts';
import { decodeTransaction, TRANSACTION_JSON_VERSION, transactionJson } from './transaction-rows.ts';

/*
 * The reads of an entity's bank data that the data API serves, each a prepared statement on the
 * store's read connection. What a refresh writes is in bank-data.ts.
 */

const ACCOUNTS_OF_ENTITY = prepared<{ entityId: string }, { id: string; payload: string }>((db, p) =>
  db.selectFrom('accounts').select(['id', 'payload']).where('entity_id', '=', p('entityId')).orderBy('position'),
);

/**
 * The JSON text of the entity's accounts in the order the bank lists them, `account_id` being
 * openlean's id of each: `JSON.stringify(Account[])`, built from the stored payloads without
 * decoding them (`accountJson`).
 */
export async function accountsJson(store: Store, entityId: string): Promise<string> {
  const rows = await store.query(ACCOUNTS_OF_ENTITY, { entityId });
  return `[${rows.map((a) => accountJson(a.id, a.payload)).join(',')}]`;
}

/**
 * `JSON.stringify({ account_id: id, ...JSON.parse(payload) })` for a stored account `payload`,
 * without parsing it. A payload is `JSON.stringify` of an account without its id (bank-data.ts),
 * whose text parsed and stringified again is itself, and whose keys are the schema's names (none
 * `account_id`, none integer-like, which an object would order first); so the id goes first and
 * the payload's members follow as they are. A first read of the accounts parsed and serialised
 * every payload for nothing (docs/decisions/003).
 */
export function accountJson(id: string, payload: string): string {
  const members = payload.slice(1, -1);
  return `{"account_id":${JSON.stringify(id)}${members === '' ? '' : `,${members}`}}`;
}

const ACCOUNT_OF_ENTITY = prepared<{ entityId: string; accountId: string }, { id: string }>((db, p) =>
  db.selectFrom('accounts').select('id').where('id', '=', p('accountId')).where('entity_id', '=', p('entityId')),
);

export async function accountExists(store: Store, entityId: string, accountId: string): Promise<boolean> {
  return (await store.query(ACCOUNT_OF_ENTITY, { entityId, accountId })).length > 0;
}

const RESOURCE_SET = prepared<{ entityId: string; accountId: string; resource: string }, { payload: string }>((db, p) =>
  db
    .selectFrom('resource_sets')
    .select('payload')
    .where('entity_id', '=', p('entityId'))
    .where('account_id', '=', p('accountId'))
    .where('resource', '=', p('resource')),
);

/** What each stored resource set holds: a per-account list, or the entity's identity (null: the bank shared none). */
export interface ResourceSets {
  balances: Balance[];
  beneficiaries: Beneficiary[];
  direct_debits: DirectDebit[];
  standing_orders: StandingOrder[];
  scheduled_payments: ScheduledPayment[];
  account_identities: AccountIdentity[];
  identity: Identity | null;
}

/**
 * The resource as the last refresh stored it, as its JSON text (`JSON.stringify(ResourceSets[R])`,
 * bank-data.ts; served as it is, not decoded and encoded again); undefined when it was never
 * fetched. `accountId` null: an entity-level resource (identity).
 */
export async function resourceSetJson(store: Store, entityId: string, accountId: string | null, resource: ListResource | 'identity'): Promise<string | undefined> {
  const [row] = await store.query(RESOURCE_SET, { entityId, accountId: accountId ?? ENTITY_LEVEL, resource });
  return row?.payload;
}

export interface TransactionQuery {
  accountId: string;
  /** Inclusive lower bound on booking_at. */
  from?: string;
  /** Exclusive upper bound on booking_at. */
  to?: string;
  /** Keyset position to continue after (newest-first order). */
  after?: Position;
  offset: number;
  limit: number;
}

/** Later than any timestamp, and than any id, stored. */
const MAX_TIME = '9999-12-31T23:59:59.999Z';
const MAX_ID = '~';

type PageParams = { accountId: string; from: string; upper: string; tieId: string; limit: number; offset: number };

/**
 * The rows of a page, before what is selected of them. One query shape for every page: a single
 * inclusive upper bound on booking_at (the tighter of `to` and the cursor) lets the index seek
 * straight to the page, so the 1000th page costs what the first does; ties at the cursor's instant
 * continue by id.
 */
const pageRows = (db: Kysely<DB>, p: <K extends keyof PageParams & string>(name: K) => PageParams[K]) =>
  db
    .selectFrom('transactions')
    .where('account_id', '=', p('accountId'))
    .where('booking_at', '>=', p('from'))
    .where('booking_at', '<=', p('upper'))
    .where((eb) => eb.or([eb('booking_at', '<', p('upper')), eb('id', '<', p('tieId'))]))
    .orderBy('booking_at', 'desc')
    .orderBy('id', 'desc')
    .limit(p('limit'))
    .offset(p('offset'));

const TRANSACTIONS_PAGE = prepared<PageParams, Selectable<TransactionTable>>((db, p) => pageRows(db, p).selectAll());

/** `TRANSACTIONS_PAGE` for what a page of the data API needs: the position and the stored JSON of each row. */
const TRANSACTIONS_PAGE_JSON = prepared<PageParams, Pick<Selectable<TransactionTable>, 'id' | 'booking_at' | 'api_json' | 'api_json_version'>>((db, p) =>
  pageRows(db, p).select(['id', 'booking_at', 'api_json', 'api_json_version']),
);

/** The account's kept transaction count: null when the entity has no such account, -1 when none is kept. */
const KEPT_COUNT = (db: Kysely<DB>, p: <K extends 'accountId' | 'entityId'>(name: K) => string) =>
  db
    .selectFrom('accounts')
    .select(sql<number>`coalesce(transaction_count, -1)`.as('kept'))
    .where('id', '=', p('accountId'))
    .where('entity_id', '=', p('entityId'));

const ACCOUNT_KEPT_COUNT = prepared<{ accountId: string; entityId: string }, { kept: number | string }>((db, p) => KEPT_COUNT(db, p));

type PageTextParams = PageParams & { entityId: string; size: number; version: number };

/**
 * A page as one row, for PostgreSQL (docs/decisions/023): the stored JSON of its first `size` rows
 * joined in page order by the database, how many rows it found (of `limit`: one more than `size`
 * says there is a next page), how many of them hold JSON of this rendering version, the position
 * of its `size`th row, and the account's kept count (null: no such account of the entity; -1: none
 * kept). node-postgres spent about as much of the API process's CPU decoding a page's 101 rows as
 * the rest of the request; this is one round trip and one value to decode.
 */
const TRANSACTIONS_PAGE_TEXT = prepared<
  PageTextParams,
  { json: string | null; found: number | string; fresh: number | string; last_at: string | null; last_id: string | null; kept: number | string | null }
>((db, p) =>
  db
    .selectFrom(
      db
        .selectFrom(pageRows(db, p).select(['id', 'booking_at', 'api_json', 'api_json_version']).as('page'))
        .select(['id', 'booking_at', 'api_json', 'api_json_version', sql<number>`row_number() over (order by booking_at desc, id desc)`.as('k')])
        .as('numbered'),
    )
    .select([
      sql<string | null>`string_agg(case when k <= ${p('size')} then api_json end, ',' order by k)`.as('json'),
      sql<number>`count(*)`.as('found'),
      sql<number>`count(case when api_json is not null and api_json_version = ${p('version')} then 1 end)`.as('fresh'),
      sql<string | null>`max(case when k = ${p('size')} then booking_at end)`.as('last_at'),
      sql<string | null>`max(case when k = ${p('size')} then id end)`.as('last_id'),
      KEPT_COUNT(db, p).as('kept'),
    ]),
);

const TRANSACTIONS_COUNT = prepared<{ accountId: string; from: string; to: string }, { n: number }>((db, p) =>
  db
    .selectFrom('transactions')
    .select(sql<number>`count(*)`.as('n'))
    .where('account_id', '=', p('accountId'))
    .where('booking_at', '>=', p('from'))
    .where('booking_at', '<', p('to')),
);

/** The inclusive form of an exclusive bound: timestamps are stored to the millisecond. */
function justBefore(iso: string): string {
  return new Date(Date.parse(iso) - 1).toISOString();
}

/** The bound parameters of a page query. */
function pageParams(q: TransactionQuery): PageParams {
  const toInclusive = q.to ? justBefore(q.to) : MAX_TIME;
  const cursorIsTighter = q.after !== undefined && q.after.at <= toInclusive;
  return {
    accountId: q.accountId,
    from: q.from ?? '',
    upper: cursorIsTighter ? q.after!.at : toInclusive,
    tieId: cursorIsTighter ? q.after!.id : MAX_ID,
    limit: q.limit,
    offset: q.offset,
  };
}

/** A page of an account's transactions as the data API serves it. */
export interface TransactionsPage {
  /** The account, with the count of its transactions its last write kept (null: none kept yet, count them); undefined when the entity has no such account. */
  account: { count: number | null } | undefined;
  /** The JSON (`toTransaction`'s) of the page's transactions, at most `size`, newest first, joined by commas: the body is `[${json}]`. */
  json: string;
  /** `json`'s length in bytes of UTF-8, when the chunks said it (they keep it: no need to measure the text). */
  bytes?: number;
  /** The whole body, `[${json}]`, when the store had it (an account's head): sent as it is, it is not copied again. */
  body?: string;
  /** Rows the query found, at most `limit`: more than `size` says there is a next page. */
  found: number;
  /** The position of the page's `size`th transaction (its last, when there is a next page); null when it has fewer. */
  last: Position | null;
}

/**
 * A page of entity `entityId`'s account's transactions, newest first by (booking_at, id) (with
 * `after` the cost is the same on every page): the first `size` of the `limit` rows the query
 * finds. The JSON is the JSON stored with each row (migration 016), joined (by PostgreSQL itself,
 * docs/decisions/023); a page holding a row of another rendering version (written before, or by
 * an older openlean) is read whole and rendered now. Throws `MalformedData` as `toTransaction` does.
 */
export async function transactionsPage(store: Store, entityId: string, q: TransactionQuery & { size: number }): Promise<TransactionsPage> {
  const page = await chunkedTransactionsPage(store, entityId, q);
  if (page) return page;
  const params = pageParams(q);
  const { account, stored } = store.dialect === 'postgres' ? await joinedPage(store, entityId, q.size, params) : await rowsPage(store, entityId, q.size, params);
  if (stored) return { account, ...stored };
  const rows = (await store.query(TRANSACTIONS_PAGE, params)).map(decodeTransaction);
  return { account, ...pageOf(rows, q.size, transactionJson) };
}

/**
 * Whether the account's head may answer page `q` (docs/decisions/024, heads): a first page, by
 * number, of at most `HEAD_ROWS` rows and no date range. SQLite reads the head whole and cuts it
 * here; PostgreSQL cuts it in the query, so that only the page's bytes leave the database.
 */
function fromHead(q: TransactionQuery & { size: number }): boolean {
  return q.from === undefined && q.to === undefined && q.after === undefined && q.offset === 0 && q.size <= HEAD_ROWS;
}

/** `headPage`'s answer when the head cannot answer but the chunks may. */
const ASK_CHUNKS = null;

/**
 * The page a head query's rows (`HEAD_PAGE` or `HEAD_PAGE_CUT`) answer, `cut` taking it out of the
 * row given the account's kept count: an empty page without an account when the entity has no such
 * account, undefined when the account keeps no count (its rows answer), `ASK_CHUNKS` when the head
 * cannot answer.
 */
function headPage<R extends { kept: number | string }>(rows: readonly R[], cut: (row: R, total: number) => HeadPage | undefined): TransactionsPage | undefined | typeof ASK_CHUNKS {
  const [row] = rows;
  if (!row) return { account: undefined, json: '', found: 0, last: null };
  const total = Number(row.kept);
  if (total < 0) return undefined;
  const page = cut(row, total);
  return page ? { account: { count: total }, ...page } : ASK_CHUNKS;
}

/** The first page of `size` rows out of a `HEAD_PAGE` row (SQLite: the whole head, cut here). */
const wholeHeadPage = (size: number) => (row: HeadRow, total: number) => {
  const head = foundHead(row);
  return head && pageFromHead(head, { total, size });
};

/** The chunk query of a page that chunks can answer (no date range; after a cursor, at most `CHUNK_ROWS` rows), else undefined. */
function chunkQuery(store: Store, entityId: string, q: TransactionQuery & { size: number }): { query: PreparedQuery<Record<string, unknown>, ChunkRow | ChunkRunRow>; params: Record<string, unknown> } | undefined {
  if (q.from !== undefined || q.to !== undefined) return undefined;
  // Each dialect's cheapest (docs/decisions/024): whole chunks cut here on SQLite, runs cut by PostgreSQL.
  const runs = store.dialect === 'postgres';
  if (q.after === undefined) return { query: (runs ? CHUNK_RUNS_BY_OFFSET : CHUNKS_BY_OFFSET) as never, params: { entityId, accountId: q.accountId, offset: q.offset, size: q.size } };
  if (q.size > CHUNK_ROWS) return undefined;
  const params = { entityId, accountId: q.accountId, at: q.after.at, id: q.after.id };
  return runs ? { query: CHUNK_RUNS_BY_CURSOR as never, params: { ...params, key: chunkKey(q.after), size: q.size } } : { query: CHUNKS_BY_CURSOR as never, params };
}

/** A page out of the rows of a chunk query, or undefined when the chunks cannot answer it (the rows can). */
function chunkedPage(store: Store, rows: readonly (ChunkRow | ChunkRunRow)[], q: TransactionQuery & { size: number }): TransactionsPage | undefined {
  if (rows.length === 0) return { account: undefined, json: '', found: 0, last: null };
  if (store.dialect === 'postgres') {
    const page = pageFromRuns(rows as ChunkRunRow[], { size: q.size, offset: q.offset, ...(q.after ? { after: q.after } : {}) });
    return page && { account: { count: Number(rows[0]!.kept) }, ...page };
  }
  const { count, chunks } = foundChunks(rows as ChunkRow[]);
  if (count === null || count === undefined) return undefined;
  const page = pageFromChunks(chunks, { total: count, size: q.size, offset: q.offset, ...(q.after ? { after: q.after } : {}) });
  return page && { account: { count }, ...page };
}

/**
 * `transactionsPage` answered from what the account keeps rendered alone (docs/decisions/024): a
 * first page of at most `HEAD_ROWS` rows from its head, any other from its chunks, for the fast
 * path of a first read (src/api/data/cold-page.ts). Undefined when they cannot answer it (a date
 * range, a chunk missing or stale, the cursor's row removed): then `transactionsPage` does.
 */
export async function chunkedTransactionsPage(store: Store, entityId: string, q: TransactionQuery & { size: number }): Promise<TransactionsPage | undefined> {
  if (fromHead(q)) {
    const page =
      store.dialect === 'postgres'
        ? headPage(await store.query(HEAD_PAGE_CUT, { entityId, accountId: q.accountId, size: q.size }), (row, total) => pageFromHeadCut(row, { total, size: q.size }))
        : headPage(await store.query(HEAD_PAGE, { entityId, accountId: q.accountId }), wholeHeadPage(q.size));
    if (page !== ASK_CHUNKS) return page;
  }
  const chunked = chunkQuery(store, entityId, q);
  return chunked && chunkedPage(store, await store.query(chunked.query, chunked.params), q);
}

/**
 * `chunkedTransactionsPage` answered synchronously, for the cached fast path of reads
 * (src/api/data/cached-read.ts) on a store that reads synchronously (SQLite). Undefined when the
 * head and chunks cannot answer it (a date range, a chunk missing or stale, the cursor's row
 * removed) or the store reads asynchronously: then `transactionsPage` does.
 */
export function transactionsPageNow(store: Store, entityId: string, q: TransactionQuery & { size: number }): TransactionsPage | undefined {
  if (!store.queryNow) return undefined;
  if (fromHead(q)) {
    const page = headPage(store.queryNow(HEAD_PAGE, { entityId, accountId: q.accountId }), wholeHeadPage(q.size));
    if (page !== ASK_CHUNKS) return page;
  }
  const chunked = chunkQuery(store, entityId, q);
  if (!chunked) return undefined;
  return chunkedPage(store, store.queryNow(chunked.query, chunked.params), q);
}

/** What a page read from the rows' stored JSON found: the account, and the page unless a row of it holds no JSON of this rendering version. */
interface StoredPage {
  account: TransactionsPage['account'];
  stored: Omit<TransactionsPage, 'account'> | undefined;
}

/** The page's stored JSON joined by PostgreSQL. */
async function joinedPage(store: Store, entityId: string, size: number, params: PageParams): Promise<StoredPage> {
  const [row] = await store.query(TRANSACTIONS_PAGE_TEXT, { ...params, entityId, size, version: TRANSACTION_JSON_VERSION });
  const found = Number(row?.found ?? 0);
  const last = row?.last_at && row.last_id ? { at: row.last_at, id: row.last_id } : null;
  return { account: kept(row?.kept), stored: found === Number(row?.fresh ?? 0) ? { json: row?.json ?? '', found, last } : undefined };
}

/**
 * The page's rows and the account's count read as they are, for SQLite: in-process, a row costs
 * about a microsecond, and the window function and ordered aggregate that join them cost more
 * than they save (docs/decisions/023).
 */
async function rowsPage(store: Store, entityId: string, size: number, params: PageParams): Promise<StoredPage> {
  const [account, rows] = await Promise.all([keptCount(store, entityId, params.accountId), store.query(TRANSACTIONS_PAGE_JSON, params)]);
  const fresh = rows.every((r) => r.api_json !== null && r.api_json_version === TRANSACTION_JSON_VERSION);
  return { account, stored: fresh ? pageOf(rows, size, (r) => r.api_json!) : undefined };
}

/** The first `size` of the rows a page query found, as `json` gives each, with how many it found and the `size`th row's position. */
function pageOf<R extends { id: string; booking_at: string }>(rows: R[], size: number, json: (row: R) => string): Omit<TransactionsPage, 'account'> {
  const last = rows.length >= size ? rows[size - 1]! : undefined;
  return { json: rows.slice(0, size).map(json).join(','), found: rows.length, last: last ? { at: last.booking_at, id: last.id } : null };
}

async function keptCount(store: Store, entityId: string, accountId: string): Promise<TransactionsPage['account']> {
  return kept((await store.query(ACCOUNT_KEPT_COUNT, { accountId, entityId }))[0]?.kept);
}

/** `KEPT_COUNT`'s value as `TransactionsPage.account` (node-postgres gives a bigint as a string). */
function kept(value: number | string | null | undefined): TransactionsPage['account'] {
  if (value === null || value === undefined) return undefined;
  const n = Number(value);
  return { count: n < 0 ? null : n };
}

export async function countTransactions(store: Store, q: Pick<TransactionQuery, 'accountId' | 'from' | 'to'>): Promise<number> {
  const [row] = await store.query(TRANSACTIONS_COUNT, { accountId: q.accountId, from: q.from ?? '', to: q.to ?? MAX_TIME + '~' });
  return Number(row?.n ?? 0);
}

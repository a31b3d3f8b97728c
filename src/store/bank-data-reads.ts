import { sql, type Kysely, type Selectable } from 'kysely';
import type { Account, AccountIdentity, Balance, Beneficiary, DirectDebit, Identity, ScheduledPayment, StandingOrder } from '../domain/bank-data.ts';
import type { Position } from '../domain/cursor.ts';
import { ENTITY_LEVEL, type ListResource } from './bank-data.ts';
import type { Store } from './database.ts';
import { prepared } from './prepared.ts';
import type { DB, TransactionTable } from './schema.ts';
import { decodeTransaction, TRANSACTION_JSON_VERSION, transactionJson } from './transaction-rows.ts';

/*
 * The reads of an entity's bank data that the data API serves, each a prepared statement on the
 * store's read connection. What a refresh writes is in bank-data.ts.
 */

const ACCOUNTS_OF_ENTITY = prepared<{ entityId: string }, { id: string; payload: string }>((db, p) =>
  db.selectFrom('accounts').select(['id', 'payload']).where('entity_id', '=', p('entityId')).orderBy('position'),
);

/** The entity's accounts in the order the bank lists them, `account_id` being openlean's id of each. */
export async function listAccounts(store: Store, entityId: string): Promise<Account[]> {
  const rows = await store.query(ACCOUNTS_OF_ENTITY, { entityId });
  return rows.map((a) => ({ account_id: a.id, ...(JSON.parse(a.payload) as Omit<Account, 'account_id'>) }));
}

const ACCOUNT_OF_ENTITY = prepared<{ entityId: string; accountId: string }, { id: string }>((db, p) =>
  db.selectFrom('accounts').select('id').where('id', '=', p('accountId')).where('entity_id', '=', p('entityId')),
);

export async function accountExists(store: Store, entityId: string, accountId: string): Promise<boolean> {
  return (await store.query(ACCOUNT_OF_ENTITY, { entityId, accountId })).length > 0;
}

const ACCOUNT_TRANSACTION_COUNT = prepared<{ entityId: string; accountId: string }, { transaction_count: number | null }>((db, p) =>
  db.selectFrom('accounts').select('transaction_count').where('id', '=', p('accountId')).where('entity_id', '=', p('entityId')),
);

/**
 * The entity's account `accountId` with the count of its transactions its last write kept
 * (`count` null: none kept yet, count them); undefined when the entity has no such account.
 */
export async function accountTransactionCount(store: Store, entityId: string, accountId: string): Promise<{ count: number | null } | undefined> {
  const [row] = await store.query(ACCOUNT_TRANSACTION_COUNT, { entityId, accountId });
  return row === undefined ? undefined : { count: row.transaction_count === null ? null : Number(row.transaction_count) };
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
 * The resource as the last refresh stored it, decoded; undefined when it was never fetched.
 * `accountId` null: an entity-level resource (identity).
 */
export async function getResourceSet<R extends ListResource | 'identity'>(
  store: Store,
  entityId: string,
  accountId: string | null,
  resource: R,
): Promise<ResourceSets[R] | undefined> {
  const [row] = await store.query(RESOURCE_SET, { entityId, accountId: accountId ?? ENTITY_LEVEL, resource });
  return row === undefined ? undefined : (JSON.parse(row.payload) as ResourceSets[R]);
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

/** A transaction of a page as the data API serves it: its position, and its JSON (`toTransaction`'s). */
export interface TransactionText {
  id: string;
  booking_at: string;
  json: string;
}

/**
 * A page of an account's transactions, newest first by (booking_at, id) (with `after` the cost is
 * the same on every page), each row as the data API's JSON: the JSON stored with the row (migration
 * 016), so a page reads one text column per row instead of materialising, mapping and serialising
 * 22; a page holding a row of another rendering version (written before, or by an older
 * openlean) is read whole and rendered now. Throws `MalformedData` as `toTransaction` does.
 */
export async function listTransactionTexts(store: Store, q: TransactionQuery): Promise<TransactionText[]> {
  const params = pageParams(q);
  const rows = await store.query(TRANSACTIONS_PAGE_JSON, params);
  if (rows.every((r) => r.api_json !== null && r.api_json_version === TRANSACTION_JSON_VERSION)) {
    return rows.map((r) => ({ id: r.id, booking_at: r.booking_at, json: r.api_json! }));
  }
  return (await store.query(TRANSACTIONS_PAGE, params)).map((r) => {
    const row = decodeTransaction(r);
    return { id: row.id, booking_at: row.booking_at, json: transactionJson(row) };
  });
}

export async function countTransactions(store: Store, q: Pick<TransactionQuery, 'accountId' | 'from' | 'to'>): Promise<number> {
  const [row] = await store.query(TRANSACTIONS_COUNT, { accountId: q.accountId, from: q.from ?? '', to: q.to ?? MAX_TIME + '~' });
  return Number(row?.n ?? 0);
}

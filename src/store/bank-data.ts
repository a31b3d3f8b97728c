import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Position } from '../domain/cursor.ts';
import { derivedId } from '../domain/ids.ts';
import type { DataResource } from '../domain/permissions.ts';
import type { EntitySnapshot, FetchedAccount, FetchedTransaction } from '../domain/snapshot.ts';
import type { Store } from './database.ts';
import { compilePrepared, prepared } from './prepared.ts';
import type { DB, NewTransaction, TransactionRow } from './schema.ts';

/** Resources stored whole, as one JSON list per account (or per entity for `identity`). */
export const LIST_RESOURCES = [
  'balances',
  'beneficiaries',
  'direct_debits',
  'standing_orders',
  'scheduled_payments',
  'account_identities',
] as const satisfies readonly DataResource[];
export type ListResource = (typeof LIST_RESOURCES)[number];

/** Key under which entity-level resources are stored in `resource_sets.account_id`. */
const ENTITY_LEVEL = '';
const INSERT_BATCH = 500;

/** What one write changed, per resource: rows written (inserted, updated or removed). */
export type ApplyCounts = Partial<Record<DataResource, number>>;

export interface ApplyResult {
  /** Records the snapshot held, per resource. */
  records: ApplyCounts;
  /** Whether anything stored changed; an unchanged snapshot leaves the data version alone. */
  changed: boolean;
  dataVersion: number;
}

function transactionRow(entityId: string, accountId: string, t: FetchedTransaction, pendingId: string | null): NewTransaction {
  return {
    id: derivedId('transaction', accountId, t.key),
    entity_id: entityId,
    account_id: accountId,
    key: t.key,
    bank_transaction_id: t.bank_transaction_id,
    status: t.status,
    booking_at: t.booking_at,
    value_at: t.value_at,
    amount_minor: t.amount_minor,
    currency: t.currency,
    credit_debit: t.credit_debit,
    description: t.description,
    reference: t.reference,
    merchant_name: t.merchant_name,
    merchant_category_code: t.merchant_category_code,
    bank_transaction_code: t.bank_transaction_code,
    pending_transaction_id: pendingId,
    transaction_mutability: t.transaction_mutability ?? null,
    payment_mode: t.payment_mode ?? null,
    charge_minor: t.charge_minor ?? null,
    charge_currency: t.charge_currency ?? null,
    charge_vat_minor: t.charge_vat_minor ?? null,
    charge_vat_currency: t.charge_vat_currency ?? null,
    flags: t.flags ? JSON.stringify(t.flags) : null,
    bill: t.bill ? JSON.stringify(t.bill) : null,
    local_time_zone: t.local_time_zone ?? null,
  };
}

/** What a bank may change about a transaction it already returned; any change rewrites the row. */
const CONTENT_COLUMNS = [
  'bank_transaction_id', 'status', 'booking_at', 'value_at', 'amount_minor', 'currency', 'credit_debit', 'description',
  'reference', 'merchant_name', 'merchant_category_code', 'bank_transaction_code',
  'transaction_mutability', 'payment_mode', 'charge_minor', 'charge_currency', 'charge_vat_minor', 'charge_vat_currency', 'flags', 'bill', 'local_time_zone',
] as const;

const TRANSACTION_COLUMNS = [
  'id', 'entity_id', 'account_id', 'key', 'pending_transaction_id', ...CONTENT_COLUMNS,
] as const satisfies readonly (keyof NewTransaction)[];

/** Rows written per statement: past ~100 the statement's size stops paying for itself. */
const UPSERT_BATCH = 100;

/**
 * Inserts `rows` transactions, or rewrites a stored one with the same key when its content
 * changed (or it now replaces a pending one); an unchanged row is not written at all, so
 * re-applying a refresh's data changes nothing and keeps the data version. Written once with
 * Kysely per batch size and then only bound: building multi-row inserts per call cost more than
 * SQLite's own work (bench/ingest.ts).
 */
function upsertTransactionsQuery(rows: number, merge: boolean) {
  return prepared<Record<string, unknown>, never>((db, p) => {
    const insert = db
      .insertInto('transactions')
      .values(Array.from({ length: rows }, (_, i) => Object.fromEntries(TRANSACTION_COLUMNS.map((c) => [c, p(`${i}:${c}`)])) as unknown as NewTransaction));
    if (!merge) return insert;
    return insert.onConflict((oc) =>
        oc
          .columns(['account_id', 'key'])
          .doUpdateSet((eb) => ({
            ...Object.fromEntries(CONTENT_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)])),
            pending_transaction_id: eb.fn.coalesce('excluded.pending_transaction_id', 'transactions.pending_transaction_id'),
          }))
          .where((eb) =>
            eb.or([
              ...CONTENT_COLUMNS.map((c) => eb(`transactions.${c}`, 'is distinct from', eb.ref(`excluded.${c}`))),
              eb('excluded.pending_transaction_id', 'is not', null),
            ]),
          ),
    );
  });
}

/** Compiled upserts by kind and batch size, per SQL dialect (its adapter): the SQL text of each. */
const upsertStatements = new WeakMap<object, Map<string, string>>();

/**
 * The upsert of `rows` rows, whose parameters are the rows' values in row-major
 * `TRANSACTION_COLUMNS` order, so binding is a flat copy rather than a lookup per value.
 */
function compiledUpsert(trx: Kysely<DB>, rows: number, merge: boolean): string {
  const adapter = trx.getExecutor().adapter;
  let byShape = upsertStatements.get(adapter);
  if (!byShape) upsertStatements.set(adapter, (byShape = new Map()));
  const shape = `${merge}:${rows}`;
  let sqlText = byShape.get(shape);
  if (!sqlText) {
    const compiled = compilePrepared(trx, upsertTransactionsQuery(rows, merge));
    const expected = Array.from({ length: rows }, (_, i) => TRANSACTION_COLUMNS.map((c) => `${i}:${c}`)).flat();
    if (compiled.slots.join() !== expected.join()) throw new Error('the transaction upsert binds its parameters in an unexpected order');
    byShape.set(shape, (sqlText = compiled.sql));
  }
  return sqlText;
}

/** `merge: false` when the account has no stored transactions yet: plain inserts, nothing to compare with. */
async function writeTransactions(trx: Kysely<DB>, rows: readonly NewTransaction[], merge: boolean): Promise<number> {
  let changes = 0;
  for (let i = 0; i < rows.length; i += UPSERT_BATCH) {
    const batch = rows.slice(i, i + UPSERT_BATCH);
    const params: unknown[] = [];
    for (const row of batch) for (const c of TRANSACTION_COLUMNS) params.push(row[c]);
    const res = await trx.executeQuery(CompiledQuery.raw(compiledUpsert(trx, batch.length, merge), params));
    changes += Number(res.numAffectedRows ?? 0);
  }
  return changes;
}

async function upsertTransactions(trx: Kysely<DB>, entityId: string, accountId: string, fetched: FetchedAccount['transactions'] & {}): Promise<number> {
  let changes = 0;
  const pendingStored = await trx
    .selectFrom('transactions')
    .select(['id', 'key', 'booking_at'])
    .where('account_id', '=', accountId)
    .where('status', '=', 'PENDING')
    .execute();
  const pendingByKey = new Map(pendingStored.map((p) => [p.key, p]));

  const rows: NewTransaction[] = [];
  const replaced = new Set<string>();
  for (const t of fetched.items) {
    const pending = t.replaces_pending_key ? pendingByKey.get(t.replaces_pending_key) : undefined;
    if (pending && t.replaces_pending_key !== t.key) replaced.add(pending.id);
    rows.push(transactionRow(entityId, accountId, t, pending && t.replaces_pending_key !== t.key ? pending.id : null));
  }

  const fetchedKeys = new Set(fetched.items.map((t) => t.key));
  const vanished = pendingStored
    .filter((p) => !fetchedKeys.has(p.key) && (fetched.from === null || p.booking_at >= fetched.from))
    .map((p) => p.id);
  const toDelete = [...new Set([...replaced, ...vanished])];
  for (let i = 0; i < toDelete.length; i += INSERT_BATCH) {
    const res = await trx.deleteFrom('transactions').where('id', 'in', toDelete.slice(i, i + INSERT_BATCH)).executeTakeFirst();
    changes += Number(res.numDeletedRows);
  }

  const anyStored = await trx.selectFrom('transactions').select('id').where('account_id', '=', accountId).limit(1).executeTakeFirst();
  return changes + (await writeTransactions(trx, rows, anyStored !== undefined));
}

async function upsertResourceSet(
  trx: Kysely<DB>,
  entityId: string,
  accountId: string,
  resource: string,
  payload: string,
  fetchedAt: string,
): Promise<number> {
  const res = await trx
    .insertInto('resource_sets')
    .values({ entity_id: entityId, account_id: accountId, resource, payload, fetched_at: fetchedAt })
    .onConflict((oc) =>
      oc
        .columns(['entity_id', 'account_id', 'resource'])
        .doUpdateSet((eb) => ({ payload: eb.ref('excluded.payload'), fetched_at: eb.ref('excluded.fetched_at') }))
        .where('resource_sets.payload', '!=', (eb) => eb.ref('excluded.payload')),
    )
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0);
}

/**
 * The one way bank data enters the store: writes everything an entity's fetch produced, in a
 * single transaction, so readers see either the previous data or all of this. Idempotent:
 * applying the same snapshot twice changes nothing the second time (and keeps the data version).
 * Accounts the bank no longer lists are removed with their data; resources the snapshot did not
 * fetch are left as they are.
 *
 * @example await applySnapshot(store, entity.id, snapshot)
 */
export async function applySnapshot(store: Store, entityId: string, snapshot: EntitySnapshot): Promise<ApplyResult> {
  const result = await store.db.transaction().execute(async (trx) => {
    const records: ApplyCounts = { accounts: snapshot.accounts.length };
    let changes = 0;
    // A refresh that was fetching while the entity was revoked must not bring its data back.
    const owner = await trx.selectFrom('entities').select(['status', 'data_version']).where('id', '=', entityId).executeTakeFirst();
    if (!owner || owner.status === 'REVOKED') return { records, changed: false, dataVersion: Number(owner?.data_version ?? 0) };

    const stored = await trx.selectFrom('accounts').select(['id', 'bank_account_id']).where('entity_id', '=', entityId).execute();
    const idByBankId = new Map(stored.map((a) => [a.bank_account_id, a.id]));
    const listed = new Set(snapshot.accounts.map((a) => a.bank_account_id));
    const gone = stored.filter((a) => !listed.has(a.bank_account_id)).map((a) => a.id);
    if (gone.length > 0) {
      await trx.deleteFrom('transactions').where('account_id', 'in', gone).execute();
      await trx.deleteFrom('resource_sets').where('entity_id', '=', entityId).where('account_id', 'in', gone).execute();
      await trx.deleteFrom('accounts').where('id', 'in', gone).execute();
      changes += gone.length;
    }

    for (const [position, fetched] of snapshot.accounts.entries()) {
      const accountId = idByBankId.get(fetched.bank_account_id) ?? randomUUID();
      const res = await trx
        .insertInto('accounts')
        .values({
          id: accountId,
          entity_id: entityId,
          bank_account_id: fetched.bank_account_id,
          position,
          payload: JSON.stringify(fetched.account),
        })
        .onConflict((oc) =>
          oc
            .columns(['entity_id', 'bank_account_id'])
            .doUpdateSet((eb) => ({ position: eb.ref('excluded.position'), payload: eb.ref('excluded.payload') }))
            .where((eb) =>
              eb.or([
                eb('accounts.payload', '!=', eb.ref('excluded.payload')),
                eb('accounts.position', '!=', eb.ref('excluded.position')),
              ]),
            ),
        )
        .executeTakeFirst();
      changes += Number(res.numInsertedOrUpdatedRows ?? 0);

      if (fetched.transactions) {
        records.transactions = (records.transactions ?? 0) + fetched.transactions.items.length;
        changes += await upsertTransactions(trx, entityId, accountId, fetched.transactions);
      }
      for (const resource of LIST_RESOURCES) {
        const list = fetched[resource];
        if (!list) continue;
        records[resource] = (records[resource] ?? 0) + list.length;
        changes += await upsertResourceSet(trx, entityId, accountId, resource, JSON.stringify(list), snapshot.fetched_at);
      }
    }

    if (snapshot.identity !== undefined) {
      records.identity = snapshot.identity ? 1 : 0;
      changes += await upsertResourceSet(trx, entityId, ENTITY_LEVEL, 'identity', JSON.stringify(snapshot.identity), snapshot.fetched_at);
    }

    const entity = await trx
      .updateTable('entities')
      .set((eb) => ({
        data_version: changes > 0 ? eb('data_version', '+', 1) : eb.ref('data_version'),
        synced_at: snapshot.fetched_at,
      }))
      .where('id', '=', entityId)
      .returning('data_version')
      .executeTakeFirstOrThrow();
    return { records, changed: changes > 0, dataVersion: Number(entity.data_version) };
  });
  store.entities.changed(entityId);
  return result;
}

/** Removes every piece of bank data stored for the entity and bumps its data version. Run it inside the caller's transaction. */
export async function purgeEntityData(trx: Kysely<DB>, entityId: string): Promise<void> {
  await trx.deleteFrom('transactions').where('entity_id', '=', entityId).execute();
  await trx.deleteFrom('resource_sets').where('entity_id', '=', entityId).execute();
  await trx.deleteFrom('accounts').where('entity_id', '=', entityId).execute();
  await trx
    .updateTable('entities')
    .set((eb) => ({ data_version: eb('data_version', '+', 1) }))
    .where('id', '=', entityId)
    .execute();
}

export interface AccountRecord {
  id: string;
  payload: string;
}

const ACCOUNTS_OF_ENTITY = prepared<{ entityId: string }, AccountRecord>((db, p) =>
  db.selectFrom('accounts').select(['id', 'payload']).where('entity_id', '=', p('entityId')).orderBy('position'),
);

export async function listAccounts(store: Store, entityId: string): Promise<AccountRecord[]> {
  return store.query(ACCOUNTS_OF_ENTITY, { entityId });
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

/** The stored JSON list for a resource, or undefined when it was never fetched. */
export async function getResourceSet(
  store: Store,
  entityId: string,
  accountId: string | null,
  resource: ListResource | 'identity',
): Promise<string | undefined> {
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

/**
 * One query shape for every page: a single inclusive upper bound on booking_at (the tighter of
 * `to` and the cursor) lets the index seek straight to the page, so the 1000th page costs what the
 * first does; ties at the cursor's instant continue by id.
 */
const TRANSACTIONS_PAGE = prepared<
  { accountId: string; from: string; upper: string; tieId: string; limit: number; offset: number },
  TransactionRow
>((db, p) =>
  db
    .selectFrom('transactions')
    .selectAll()
    .where('account_id', '=', p('accountId'))
    .where('booking_at', '>=', p('from'))
    .where('booking_at', '<=', p('upper'))
    .where((eb) => eb.or([eb('booking_at', '<', p('upper')), eb('id', '<', p('tieId'))]))
    .orderBy('booking_at', 'desc')
    .orderBy('id', 'desc')
    .limit(p('limit'))
    .offset(p('offset')),
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

/** Newest first by (booking_at, id): with `after` the cost is the same on every page. */
export async function listTransactions(store: Store, q: TransactionQuery): Promise<TransactionRow[]> {
  const toInclusive = q.to ? justBefore(q.to) : MAX_TIME;
  const cursorIsTighter = q.after !== undefined && q.after.at <= toInclusive;
  return store.query(TRANSACTIONS_PAGE, {
    accountId: q.accountId,
    from: q.from ?? '',
    upper: cursorIsTighter ? q.after!.at : toInclusive,
    tieId: cursorIsTighter ? q.after!.id : MAX_ID,
    limit: q.limit,
    offset: q.offset,
  });
}

export async function countTransactions(store: Store, q: Pick<TransactionQuery, 'accountId' | 'from' | 'to'>): Promise<number> {
  const [row] = await store.query(TRANSACTIONS_COUNT, { accountId: q.accountId, from: q.from ?? '', to: q.to ?? MAX_TIME + '~' });
  return Number(row?.n ?? 0);
}

/** The entity's stored pending transactions, by the bank's account id: what a refresh reconciles against. */
export async function pendingByBankAccount(
  db: Kysely<DB>,
  entityId: string,
): Promise<Map<string, Pick<TransactionRow, 'key' | 'bank_transaction_id' | 'booking_at' | 'amount_minor' | 'currency' | 'credit_debit' | 'description'>[]>> {
  const rows = await db
    .selectFrom('transactions as t')
    .innerJoin('accounts as a', 'a.id', 't.account_id')
    .select(['a.bank_account_id', 't.key', 't.bank_transaction_id', 't.booking_at', 't.amount_minor', 't.currency', 't.credit_debit', 't.description'])
    .where('t.entity_id', '=', entityId)
    .where('t.status', '=', 'PENDING')
    .execute();
  const byAccount = new Map<string, typeof rows>();
  for (const row of rows) {
    const list = byAccount.get(row.bank_account_id) ?? [];
    list.push(row);
    byAccount.set(row.bank_account_id, list);
  }
  return byAccount;
}

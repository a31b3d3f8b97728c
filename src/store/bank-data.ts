import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql, type Kysely, type Selectable } from 'kysely';
import { derivedId } from '../domain/ids.ts';
import type { DataResource } from '../domain/permissions.ts';
import { BOOKING_WINDOW_MS, reconcileTransactions } from '../domain/reconcile-transactions.ts';
import type { EntitySnapshot, FetchedTransaction, FetchedTransactions } from '../domain/snapshot.ts';
import type { Store } from './database.ts';
import { compilePrepared, prepared } from './prepared.ts';
import type { DB, NewTransaction, TransactionRow, TransactionTable } from './schema.ts';
import { decodeTransaction, TRANSACTION_JSON_VERSION, transactionJson } from './transaction-rows.ts';
import { rewriteChunks } from './transaction-chunks.ts';
import { ensureRendered, rewriteHead } from './transaction-heads.ts';

/*
 * The write path of an entity's bank data: a refresh's snapshot applied in one transaction
 * (accounts, transactions reconciled with those stored, the resources stored whole), and the
 * purge of it all on revocation. The reads are in bank-data-reads.ts.
 */

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
export const ENTITY_LEVEL = '';
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

function transactionRow(
  entityId: string,
  accountId: string,
  id: string,
  t: FetchedTransaction,
  pendingId: string | null,
  seq: number,
  modified: boolean,
): NewTransaction {
  const row: NewTransaction = {
    id,
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
    api_json: null,
    api_json_version: TRANSACTION_JSON_VERSION,
    created_seq: seq,
    modified_seq: modified ? seq : null,
  };
  // What the data API will serve for it, rendered once here rather than on every first read.
  row.api_json = transactionJson({ ...row, flags: row.flags === null ? null : t.flags!, bill: row.bill === null ? null : t.bill! } as TransactionRow);
  return row;
}

/** What a bank may change about a transaction it already returned. */
const CONTENT_COLUMNS = [
  'bank_transaction_id', 'status', 'booking_at', 'value_at', 'amount_minor', 'currency', 'credit_debit', 'description',
  'reference', 'merchant_name', 'merchant_category_code', 'bank_transaction_code',
  'transaction_mutability', 'payment_mode', 'charge_minor', 'charge_currency', 'charge_vat_minor', 'charge_vat_currency', 'flags', 'bill', 'local_time_zone',
  'api_json', 'api_json_version',
] as const;

const TRANSACTION_COLUMNS = [
  'id', 'entity_id', 'account_id', 'key', 'pending_transaction_id', ...CONTENT_COLUMNS, 'created_seq', 'modified_seq',
] as const satisfies readonly (keyof NewTransaction)[];

/**
 * Rows written per statement on PostgreSQL, where each statement is a round trip and past ~100
 * rows its size stops paying for itself. SQLite runs in process, and there one prepared row at a
 * time (`Store.runEach`) beats a multi-row VALUES: 32 k rows in ~450 ms against ~630 ms in batches
 * of 100 (docs/decisions/024).
 */
const UPSERT_BATCH = 100;

/**
 * Inserts `rows` new transactions or, with `rewrite`, rewrites stored ones by `id` (their key and
 * content, which the reconciliation found changed; `created_seq` stays). Written once with Kysely
 * per batch size and then only bound: building multi-row inserts per call cost more than SQLite's
 * own work (bench/ingest.ts).
 */
function writeTransactionsQuery(rows: number, rewrite: boolean) {
  return prepared<Record<string, unknown>, never>((db, p) => {
    const insert = db
      .insertInto('transactions')
      .values(Array.from({ length: rows }, (_, i) => Object.fromEntries(TRANSACTION_COLUMNS.map((c) => [c, p(`${i}:${c}`)])) as unknown as NewTransaction));
    if (!rewrite) return insert;
    return insert.onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        key: eb.ref('excluded.key'),
        ...Object.fromEntries(CONTENT_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)])),
        pending_transaction_id: eb.ref('excluded.pending_transaction_id'),
        modified_seq: eb.ref('excluded.modified_seq'),
      })),
    );
  });
}

/** Compiled writes by kind and batch size, per SQL dialect (its adapter): the SQL text of each. */
const writeStatements = new WeakMap<object, Map<string, string>>();

/**
 * The write of `rows` rows, whose parameters are the rows' values in row-major
 * `TRANSACTION_COLUMNS` order, so binding is a flat copy rather than a lookup per value.
 */
function compiledWrite(trx: Kysely<DB>, rows: number, rewrite: boolean): string {
  const adapter = trx.getExecutor().adapter;
  let byShape = writeStatements.get(adapter);
  if (!byShape) writeStatements.set(adapter, (byShape = new Map()));
  const shape = `${rewrite}:${rows}`;
  let sqlText = byShape.get(shape);
  if (!sqlText) {
    const compiled = compilePrepared(trx, writeTransactionsQuery(rows, rewrite));
    const expected = Array.from({ length: rows }, (_, i) => TRANSACTION_COLUMNS.map((c) => `${i}:${c}`)).flat();
    if (compiled.slots.join() !== expected.join()) throw new Error('the transaction write binds its parameters in an unexpected order');
    byShape.set(shape, (sqlText = compiled.sql));
  }
  return sqlText;
}

/** Writes `rows` in `trx` (see `writeTransactionsQuery`): a prepared row at a time through `runEach` on SQLite, else in batches. */
async function writeTransactions(trx: Kysely<DB>, rows: readonly NewTransaction[], rewrite: boolean, runEach: Store['runEach']): Promise<void> {
  if (runEach) {
    runEach(compiledWrite(trx, 1, rewrite), rows.map((row) => TRANSACTION_COLUMNS.map((c) => row[c])));
    return;
  }
  for (let i = 0; i < rows.length; i += UPSERT_BATCH) {
    const batch = rows.slice(i, i + UPSERT_BATCH);
    const params: unknown[] = [];
    for (const row of batch) for (const c of TRANSACTION_COLUMNS) params.push(row[c]);
    await trx.executeQuery(CompiledQuery.raw(compiledWrite(trx, batch.length, rewrite), params));
  }
}

/**
 * The stored rows a fetch may pair with: those booked from a little before the earliest instant
 * the fetch covers (a reissue or a booking may move a transaction by up to `BOOKING_WINDOW_MS`),
 * and every pending one, however old. Everything without a window.
 */
async function storedFor(trx: Kysely<DB>, accountId: string, fetched: FetchedTransactions): Promise<TransactionRow[]> {
  return (await storedRows(trx, accountId, fetched)).map(decodeTransaction);
}

async function storedRows(trx: Kysely<DB>, accountId: string, fetched: FetchedTransactions): Promise<Selectable<TransactionTable>[]> {
  if (fetched.from === null) return trx.selectFrom('transactions').selectAll().where('account_id', '=', accountId).execute();
  const earliest = fetched.items.reduce((min, t) => (t.booking_at < min ? t.booking_at : min), fetched.from);
  const lower = new Date(Date.parse(earliest) - BOOKING_WINDOW_MS).toISOString();
  const [recent, olderPending] = await Promise.all([
    trx.selectFrom('transactions').selectAll().where('account_id', '=', accountId).where('booking_at', '>=', lower).execute(),
    trx
      .selectFrom('transactions')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('status', '=', 'PENDING')
      .where('booking_at', '<', lower)
      .execute(),
  ]);
  return [...recent, ...olderPending];
}

/**
 * Writes one account's fetched transactions as `reconcileTransactions` pairs them with the stored
 * ones, as one step of the account's change sequence: new rows carry it as `created_seq`, rewritten
 * ones as `modified_seq`, removed ones leave a tombstone with it (the sync feed reads all three).
 * Returns how many rows it added, rewrote or removed.
 */
async function reconcileAccountTransactions(
  trx: Kysely<DB>,
  entityId: string,
  accountId: string,
  fetched: FetchedTransactions,
  at: string,
  runEach: Store['runEach'],
): Promise<number> {
  // Taking the next number first also locks the account row on PostgreSQL, so a second writer of
  // the account waits for this one before reading what is stored.
  const { change_seq } = await trx
    .updateTable('accounts')
    .set((eb) => ({ change_seq: eb('change_seq', '+', 1) }))
    .where('id', '=', accountId)
    .returning('change_seq')
    .executeTakeFirstOrThrow();
  const seq = Number(change_seq);
  const stored = await storedFor(trx, accountId, fetched);
  const plan = reconcileTransactions(fetched.items, stored, fetched.from, !fetched.skipped);

  if (plan.removed.length > 0) {
    const createdSeq = new Map(stored.map((r) => [r.id, Number(r.created_seq)]));
    for (let i = 0; i < plan.removed.length; i += INSERT_BATCH) {
      const ids = plan.removed.slice(i, i + INSERT_BATCH);
      await trx.deleteFrom('transactions').where('id', 'in', ids).execute();
      await trx
        .insertInto('transaction_tombstones')
        .values(ids.map((id) => ({ account_id: accountId, seq, transaction_id: id, entity_id: entityId, created_seq: createdSeq.get(id) ?? 0, removed_at: at })))
        .execute();
    }
  }
  await writeTransactions(
    trx,
    plan.modified.map((m) => transactionRow(entityId, accountId, m.id, m.transaction, m.pending_transaction_id, seq, true)),
    true,
    runEach,
  );
  // A new row's id is never one a removed row had, so a sync client never sees an id come back.
  const added = plan.added.map((a) => transactionRow(entityId, accountId, derivedId('transaction', accountId, a.transaction.key, String(seq)), a.transaction, a.pending_transaction_id, seq, false));
  await writeTransactions(trx, added, false, runEach);
  // The page reads' total without a date range (`x-total-count`), kept with what it counts.
  await trx
    .updateTable('accounts')
    .set({ transaction_count: sql<number>`(select count(*) from transactions where account_id = ${accountId})` })
    .where('id', '=', accountId)
    .execute();
  const changed = plan.added.length + plan.modified.length + plan.removed.length;
  if (fetched.from === null && stored.length === 0) {
    // The account's first transactions: every row is here, none needs reading back.
    await rewriteChunks(trx, entityId, accountId, null, added.map((r) => ({ id: r.id, booking_at: r.booking_at, json: r.api_json! })));
    await rewriteHead(trx, entityId, accountId);
  } else if (changed > 0) {
    const bookedAt = new Map(stored.map((r) => [r.id, r.booking_at]));
    const touched = [
      ...plan.added.map((a) => a.transaction.booking_at),
      ...plan.modified.flatMap((m) => [m.transaction.booking_at, bookedAt.get(m.id)!]),
      ...plan.removed.map((id) => bookedAt.get(id)!),
    ];
    // Timestamps are ISO 8601 UTC to the millisecond, so the earliest is the least as text.
    await rewriteChunks(trx, entityId, accountId, touched.reduce((min, at) => (at < min ? at : min)));
    await rewriteHead(trx, entityId, accountId);
  } else {
    await ensureRendered(trx, entityId, accountId);
  }
  return changed;
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

export interface ApplyOptions {
  /**
   * Runs inside the write's transaction when it added, changed or removed transactions, with the
   * ids of the accounts whose transactions changed: what announces them commits with them.
   */
  onTransactionsChanged?: (trx: Kysely<DB>, accountIds: string[]) => Promise<void>;
}

/**
 * The one way bank data enters the store: writes everything an entity's fetch produced, in a
 * single transaction, so readers see either the previous data or all of this. Idempotent:
 * applying the same snapshot twice changes nothing the second time (and keeps the data version).
 * Accounts the bank no longer lists are removed with their data; resources the snapshot did not
 * fetch are left as they are. Transactions are reconciled with the stored ones
 * (`reconcileTransactions`), so each stays one row whatever the bank did to its id, text or time.
 *
 * @example await applySnapshot(store, entity.id, snapshot)
 */
export async function applySnapshot(store: Store, entityId: string, snapshot: EntitySnapshot, options: ApplyOptions = {}): Promise<ApplyResult> {
  const result = await store.db.transaction().execute(async (trx) => {
    const records: ApplyCounts = { accounts: snapshot.accounts.length };
    const transactionsChanged: string[] = [];
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
      await trx.deleteFrom('transaction_chunks').where('account_id', 'in', gone).execute();
      await trx.deleteFrom('transaction_heads').where('account_id', 'in', gone).execute();
      await trx.deleteFrom('transaction_tombstones').where('account_id', 'in', gone).execute();
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
        const changed = await reconcileAccountTransactions(trx, entityId, accountId, fetched.transactions, snapshot.fetched_at, store.runEach);
        if (changed > 0) transactionsChanged.push(accountId);
        changes += changed;
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
    if (transactionsChanged.length > 0) await options.onTransactionsChanged?.(trx, transactionsChanged);
    return { records, changed: changes > 0, dataVersion: Number(entity.data_version) };
  });
  store.entities.changed(entityId);
  return result;
}

/** Removes every piece of bank data stored for the entity and bumps its data version. Run it inside the caller's transaction. */
export async function purgeEntityData(trx: Kysely<DB>, entityId: string): Promise<void> {
  await trx.deleteFrom('transactions').where('entity_id', '=', entityId).execute();
  await trx.deleteFrom('transaction_chunks').where('entity_id', '=', entityId).execute();
  await trx.deleteFrom('transaction_heads').where('entity_id', '=', entityId).execute();
  await trx.deleteFrom('transaction_tombstones').where('entity_id', '=', entityId).execute();
  await trx.deleteFrom('resource_sets').where('entity_id', '=', entityId).execute();
  await trx.deleteFrom('accounts').where('entity_id', '=', entityId).execute();
  await trx
    .updateTable('entities')
    .set((eb) => ({ data_version: eb('data_version', '+', 1) }))
    .where('id', '=', entityId)
    .execute();
}

/**
 * The booking time (ISO 8601 UTC) of the entity's oldest stored pending transaction, or null when
 * it has none: a refresh fetches from there at the latest, so every pending one is reconciled.
 */
export async function oldestPendingAt(db: Kysely<DB>, entityId: string): Promise<string | null> {
  const row = await db
    .selectFrom('transactions as t')
    .innerJoin('accounts as a', 'a.id', 't.account_id')
    .select((eb) => eb.fn.min('t.booking_at').as('oldest'))
    .where('a.entity_id', '=', entityId)
    .where('t.status', '=', 'PENDING')
    .executeTakeFirst();
  return row?.oldest ?? null;
}

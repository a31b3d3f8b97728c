import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Store } from './database.ts';
import type { DB } from './schema.ts';
import { ensureRendered } from './transaction-heads.ts';
import { decodeTransaction, TRANSACTION_JSON_VERSION, transactionJson } from './transaction-rows.ts';

/** Rows rendered per batch, and so the longest a batch holds SQLite's one thread. */
export const BACKFILL_BATCH = 1000;

/** What one pass did: rows found without the current JSON, rows given it, rows left as they were because they do not render (`MalformedData`), accounts given their count, accounts given their chunks. */
export interface BackfillResult {
  lacking: number;
  rendered: number;
  unrenderable: number;
  counted: number;
  chunked: number;
}

/**
 * Gives every stored transaction the JSON of the current rendering (`transactions.api_json` at
 * `TRANSACTION_JSON_VERSION`, decision 022) and every account its kept transaction count, where
 * an older openlean, or one from before migration 016, left them out: until then a page holding
 * such a row is rendered from its columns on every read, and a page of such an account counts its
 * rows. One pass over the table in id order, `BACKFILL_BATCH` such rows a transaction, stopping
 * early when `stopping()` says so (between batches).
 *
 * Safe beside refreshes and other passes: a row is only updated if it still lacks the JSON and
 * nothing rewrote it since it was read; the bytes served do not change, so the entity's data
 * version stays.
 */
export async function backfillTransactionJson(store: Store, stopping: () => boolean = () => false): Promise<BackfillResult> {
  const result: BackfillResult = { lacking: 0, rendered: 0, unrenderable: 0, counted: 0, chunked: 0 };
  let after = '';
  while (!stopping()) {
    // Past the last batch's ids: a row left (it does not render, a refresh held it) is not met again.
    const batch = await store.db.selectFrom('transactions').select('id').where('id', '>', after).where(lacksJson).orderBy('id').limit(BACKFILL_BATCH).execute();
    if (batch.length === 0) break;
    after = batch.at(-1)!.id;
    result.lacking += batch.length;
    const done = await renderRows(store, batch.map((r) => r.id));
    result.rendered += done.rendered;
    result.unrenderable += done.unrenderable;
    if (batch.length < BACKFILL_BATCH) break;
  }
  if (!stopping()) result.counted = await countUncountedAccounts(store.db);
  if (!stopping()) result.chunked = await chunkUnchunkedAccounts(store, stopping);
  return result;
}

/**
 * Renders the rows of `ids` that still lack the current JSON, in one transaction. On PostgreSQL
 * only the rows no one else is writing are taken (`FOR UPDATE SKIP LOCKED`): a refresh writing one
 * renders it itself, and this pass never waits for a lock another writer holds, so it cannot
 * deadlock with one. (SQLite has one writer at a time.)
 */
async function renderRows(store: Store, ids: string[]): Promise<{ rendered: number; unrenderable: number }> {
  return store.db.transaction().execute(async (trx) => {
    const query = trx.selectFrom('transactions').selectAll().where('id', 'in', ids).where(lacksJson);
    const rows = await (store.dialect === 'postgres' ? query.forUpdate().skipLocked() : query).execute();
    const renders: Render[] = [];
    let unrenderable = 0;
    for (const raw of rows) {
      try {
        renders.push({ id: raw.id, json: transactionJson(decodeTransaction(raw)), createdSeq: Number(raw.created_seq), modifiedSeq: raw.modified_seq === null ? -1 : Number(raw.modified_seq) });
      } catch {
        // Its read fails the same way (MalformedData): nothing to keep.
        unrenderable++;
      }
    }
    const rendered = store.dialect === 'postgres' ? await writeRendersAtOnce(trx, renders) : await writeRendersOneByOne(trx, renders);
    return { rendered, unrenderable };
  });
}

/** A row's rendered JSON, and the sequence numbers it had when read (`modifiedSeq` -1: never modified). */
interface Render {
  id: string;
  json: string;
  createdSeq: number;
  modifiedSeq: number;
}

/** Only a row unchanged since it was read is written (every rewrite moves `modified_seq`), and only while it still lacks the JSON. */
const unchangedSince = sql<boolean>`t.created_seq = v.created_seq and coalesce(t.modified_seq, -1) = v.modified_seq`;

/**
 * One statement for the whole batch, for PostgreSQL: a statement per row cost a round trip each,
 * and a pass over a few thousand rows took seconds on a loaded machine.
 */
async function writeRendersAtOnce(trx: Kysely<DB>, renders: Render[]): Promise<number> {
  if (renders.length === 0) return 0;
  const res = await sql`
    update transactions as t set api_json = v.json, api_json_version = ${TRANSACTION_JSON_VERSION}
    from unnest(${renders.map((r) => r.id)}::text[], ${renders.map((r) => r.json)}::text[], ${renders.map((r) => r.createdSeq)}::bigint[], ${renders.map((r) => r.modifiedSeq)}::bigint[])
      as v(id, json, created_seq, modified_seq)
    where t.id = v.id and ${unchangedSince} and (t.api_json_version is null or t.api_json_version != ${TRANSACTION_JSON_VERSION})`.execute(trx);
  return Number(res.numAffectedRows ?? 0);
}

/** A statement per row, for SQLite: in process, a prepared statement costs no round trip, and it has no `unnest`. */
async function writeRendersOneByOne(trx: Kysely<DB>, renders: Render[]): Promise<number> {
  let rendered = 0;
  for (const r of renders) {
    const res = await trx
      .updateTable('transactions')
      .set({ api_json: r.json, api_json_version: TRANSACTION_JSON_VERSION })
      .where('id', '=', r.id)
      .where('created_seq', '=', r.createdSeq)
      .where(sql<number>`coalesce(modified_seq, -1)`, '=', r.modifiedSeq)
      .where(lacksJson)
      .executeTakeFirst();
    rendered += Number(res.numUpdatedRows);
  }
  return rendered;
}

/** A row without JSON of the current rendering version. */
const lacksJson = (eb: ExpressionBuilder<DB, 'transactions'>) => eb.or([eb('api_json_version', 'is', null), eb('api_json_version', '!=', TRANSACTION_JSON_VERSION)]);

/** Sets the kept count of every account that has none; a refresh writing one meanwhile sets it too (the row lock orders them). */
async function countUncountedAccounts(db: Kysely<DB>): Promise<number> {
  const res = await db
    .updateTable('accounts')
    .set({ transaction_count: sql<number>`(select count(*) from transactions where transactions.account_id = accounts.id)` })
    .where('transaction_count', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * Gives every account with transactions but no chunks or head of the current rendering version them, one account a transaction,
 * stopping early when `stopping()` says so. On PostgreSQL the account's row is locked first, as a
 * refresh writing its transactions locks it, so the two take turns.
 */
async function chunkUnchunkedAccounts(store: Store, stopping: () => boolean): Promise<number> {
  const accounts = await store.db
    .selectFrom('accounts as a')
    .select(['a.id', 'a.entity_id'])
    .where('a.transaction_count', '>', 0)
    .where((eb) =>
      eb.or([
        eb.not(eb.exists(eb.selectFrom('transaction_chunks as c').select('c.chunk').whereRef('c.account_id', '=', 'a.id').where('c.chunk', '=', 0).where('c.version', '=', TRANSACTION_JSON_VERSION))),
        eb.not(eb.exists(eb.selectFrom('transaction_heads as h').select('h.version').whereRef('h.account_id', '=', 'a.id').where('h.version', '=', TRANSACTION_JSON_VERSION))),
      ]),
    )
    .execute();
  let chunked = 0;
  for (const account of accounts) {
    if (stopping()) break;
    const wrote = await store.db.transaction().execute(async (trx) => {
      if (store.dialect === 'postgres') await trx.selectFrom('accounts').select('id').where('id', '=', account.id).forUpdate().execute();
      return ensureRendered(trx, account.entity_id, account.id);
    });
    if (wrote) chunked++;
  }
  return chunked;
}

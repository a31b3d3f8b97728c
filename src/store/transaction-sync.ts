import { sql, type Kysely } from 'kysely';
import { cursorExpired, syncPage, type SyncCursor, type SyncEntry, type SyncPage } from '../domain/transactions-sync.ts';
import type { Store } from './database.ts';
import type { DB, TransactionRow } from './schema.ts';
import { decodeTransaction } from './transaction-rows.ts';

export interface SyncHead {
  /** The account's last change sequence number. */
  seq: number;
  /** The newest step whose tombstones housekeeping deleted. */
  pruned: number;
}

/** Where the account's change sequence stands; undefined when the account does not exist. */
export async function syncHead(store: Store, accountId: string): Promise<SyncHead | undefined> {
  const row = await store.read.selectFrom('accounts').select(['change_seq', 'sync_pruned_seq']).where('id', '=', accountId).executeTakeFirst();
  return row && { seq: Number(row.change_seq), pruned: Number(row.sync_pruned_seq) };
}

/** Entries strictly after the cursor's position in a stream ordered by (`seqColumn`, `idColumn`). */
function after(seqColumn: string, idColumn: string, cursor: SyncCursor) {
  const [seq, id] = [sql.ref(seqColumn), sql.ref(idColumn)];
  if (cursor.id === null) return sql<boolean>`${seq} > ${cursor.seq}`;
  return sql<boolean>`(${seq} > ${cursor.seq} or (${seq} = ${cursor.seq} and ${id} > ${cursor.id}))`;
}

/**
 * The three streams of the account's sync feed after `cursor`, up to `limit` entries each in
 * position order, none after `head`. Changes and removals of rows created after the round's
 * `since` are left out up to its `base` (`SyncCursor`): the row is delivered whole, or not at all.
 * Each stream is one indexed range read.
 */
export async function syncStreams(store: Store, cursor: SyncCursor, head: number, base: number, limit: number): Promise<SyncEntry<TransactionRow>[][]> {
  const db: Kysely<DB> = store.read;
  const account = cursor.account_id;
  const [added, modified, removed] = await Promise.all([
    db
      .selectFrom('transactions')
      .selectAll()
      .where('account_id', '=', account)
      .where('created_seq', '<=', head)
      .where(after('created_seq', 'id', cursor))
      .orderBy('created_seq')
      .orderBy('id')
      .limit(limit)
      .execute(),
    db
      .selectFrom('transactions')
      .selectAll()
      .where('account_id', '=', account)
      .where('modified_seq', 'is not', null)
      .where('modified_seq', '<=', head)
      .where(after('modified_seq', 'id', cursor))
      .where((eb) => eb.not(eb.and([eb('created_seq', '>', cursor.since), eb('modified_seq', '<=', base)])))
      .orderBy('modified_seq')
      .orderBy('id')
      .limit(limit)
      .execute(),
    db
      .selectFrom('transaction_tombstones')
      .select(['seq', 'transaction_id'])
      .where('account_id', '=', account)
      .where('seq', '<=', head)
      .where(after('seq', 'transaction_id', cursor))
      .where((eb) => eb.not(eb.and([eb('created_seq', '>', cursor.since), eb('seq', '<=', base)])))
      .orderBy('seq')
      .orderBy('transaction_id')
      .limit(limit)
      .execute(),
  ]);
  return [
    added.map((row) => ({ kind: 'added' as const, seq: Number(row.created_seq), id: row.id, row: decodeTransaction(row) })),
    modified.map((row) => ({ kind: 'modified' as const, seq: Number(row.modified_seq), id: row.id, row: decodeTransaction(row) })),
    removed.map((t) => ({ kind: 'removed' as const, seq: Number(t.seq), id: t.transaction_id, row: null })),
  ];
}

export type SyncResult =
  | { page: SyncPage<TransactionRow> }
  /** No such account; the cursor is ahead of the account's changes (not issued for it); or it needs pruned removals. */
  | { error: 'NO_ACCOUNT' | 'CURSOR_AHEAD' | 'CURSOR_EXPIRED' };

/**
 * One page of the account's sync feed after `cursor` (docs/decisions/012): up to `count` changes.
 *
 * @example const r = await syncTransactions(store, { account_id, ...FIRST_SYNC }, 100)
 */
export async function syncTransactions(store: Store, cursor: SyncCursor, count: number): Promise<SyncResult> {
  const head = await syncHead(store, cursor.account_id);
  if (!head) return { error: 'NO_ACCOUNT' };
  if (cursor.seq > head.seq || (cursor.base ?? 0) > head.seq) return { error: 'CURSOR_AHEAD' };
  if (cursorExpired(cursor, head.pruned)) return { error: 'CURSOR_EXPIRED' };
  const streams = await syncStreams(store, cursor, head.seq, cursor.base ?? head.seq, count + 1);
  return { page: syncPage(cursor, head.seq, streams, count) };
}

/**
 * Deletes the tombstones of transactions removed before `before` (ISO 8601 UTC), first recording
 * per account the newest step they came from, so a cursor that would need them is told it expired
 * rather than served without them. Returns how many it deleted.
 */
export async function pruneTombstones(db: Kysely<DB>, before: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const old = await trx
      .selectFrom('transaction_tombstones')
      .select((eb) => ['account_id', eb.fn.max('seq').as('seq')])
      .where('removed_at', '<', before)
      .groupBy('account_id')
      .execute();
    if (old.length === 0) return 0;
    for (const { account_id, seq } of old) {
      await trx
        .updateTable('accounts')
        .set({ sync_pruned_seq: Number(seq) })
        .where('id', '=', account_id)
        .where('sync_pruned_seq', '<', Number(seq))
        .execute();
    }
    const res = await trx.deleteFrom('transaction_tombstones').where('removed_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  });
}

import { sql, type Kysely } from 'kysely';

/**
 * The transactions sync feed (docs/decisions/012): a per-account change sequence, each
 * transaction's place in it, and the rows removed with theirs.
 *
 * - `accounts.change_seq`: the last sequence number a write of the account's transactions took;
 *   `accounts.sync_pruned_seq`: the newest removal housekeeping deleted (a cursor before it can no
 *   longer be served).
 * - `transactions.created_seq`: the write that added the row; `modified_seq`: the last write that
 *   changed it, null while it never changed. Rows stored before this migration are at 0.
 * - `transaction_tombstones`: one row per removed transaction, at the write that removed it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('change_seq', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('accounts').addColumn('sync_pruned_seq', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('transactions').addColumn('created_seq', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('transactions').addColumn('modified_seq', 'bigint').execute();

  // The feed reads each stream in sequence order from a cursor: added rows, then (few) modified ones.
  await db.schema.createIndex('transactions_account_created').on('transactions').columns(['account_id', 'created_seq', 'id']).execute();
  await db.schema
    .createIndex('transactions_account_modified')
    .on('transactions')
    .columns(['account_id', 'modified_seq', 'id'])
    .where(sql.ref('modified_seq'), 'is not', null)
    .execute();
  // Every refresh reconciles every stored pending transaction: they are few, and found at once.
  await db.schema
    .createIndex('transactions_account_pending')
    .on('transactions')
    .columns(['account_id', 'booking_at'])
    .where(sql.ref('status'), '=', 'PENDING')
    .execute();

  await db.schema
    .createTable('transaction_tombstones')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('created_seq', 'bigint', (c) => c.notNull())
    .addColumn('removed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('transaction_tombstones_pk', ['account_id', 'seq', 'transaction_id'])
    .execute();
  await db.schema.createIndex('transaction_tombstones_removed').on('transaction_tombstones').columns(['removed_at']).execute();
}

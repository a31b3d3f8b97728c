import type { Kysely } from 'kysely';

/**
 * Each account's transactions kept rendered in chunks of 100, oldest first (docs/decisions/024,
 * src/store/transaction-chunks.ts), so that a first read of a page is one or two chunk rows rather
 * than a hundred transaction rows. Written by every write of the account's transactions, in its
 * transaction; an account written before this migration has none until its next write or the JSON
 * backfill (the worker's housekeeping runs it when it starts), and its pages are read from the rows meanwhile.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('transaction_chunks')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('chunk', 'integer', (c) => c.notNull())
    .addColumn('first_at', 'text', (c) => c.notNull())
    .addColumn('first_id', 'text', (c) => c.notNull())
    .addColumn('keys', 'text', (c) => c.notNull())
    .addColumn('ends', 'text', (c) => c.notNull())
    .addColumn('byte_ends', 'text', (c) => c.notNull())
    .addColumn('json', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('transaction_chunks_pk', ['account_id', 'chunk'])
    .execute();
  await db.schema.createIndex('transaction_chunks_first').on('transaction_chunks').columns(['account_id', 'first_at', 'first_id']).execute();
  await db.schema.createIndex('transaction_chunks_entity').on('transaction_chunks').columns(['entity_id']).execute();
}

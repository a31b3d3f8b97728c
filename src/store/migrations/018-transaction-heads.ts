import type { Kysely } from 'kysely';

/**
 * Each account's newest transactions kept as the answer to a first page of up to 100 rows
 * (docs/decisions/024, src/store/transaction-heads.ts): the read most traffic takes after a refresh
 * is one row and, at 100 rows, no cutting at all. Written with the account's chunks, in the same
 * transaction; an account written before this migration has none until its next write, or the
 * next refresh that finds it unchanged, and its first pages are cut from its chunks meanwhile.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('transaction_heads')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('keys', 'text', (c) => c.notNull())
    .addColumn('ends', 'text', (c) => c.notNull())
    .addColumn('byte_ends', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('transaction_heads_entity').on('transaction_heads').columns(['entity_id']).execute();
}

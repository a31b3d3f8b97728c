import type { Kysely } from 'kysely';

/**
 * What a first read of a transactions page costs (issue 12): it materialised, mapped and
 * serialised 100 rows of 22 columns, and counted the account's rows for `x-total-count`. Now each
 * transaction keeps the JSON the data API serves for it, written with the row, and a page joins
 * 100 texts; `api_json_version` is the version of the rendering that wrote it
 * (`TRANSACTION_JSON_VERSION`, src/store/transaction-rows.ts): rows of another version, and those
 * written before this migration (null), are rendered from their columns until rewritten. Each
 * account keeps its count of transactions, set by every write of them (null until the first).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('transactions').addColumn('api_json', 'text').execute();
  await db.schema.alterTable('transactions').addColumn('api_json_version', 'integer').execute();
  await db.schema.alterTable('accounts').addColumn('transaction_count', 'integer').execute();
}

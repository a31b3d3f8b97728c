import type { Kysely } from 'kysely';

/**
 * What a waiting refresh shows (issue 11 §4): the attempt it is on and when the next one runs; and
 * the quirks openlean learned about a bank by itself (§3), remembered per bank for later fetches.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('refreshes').addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // ISO 8601; null while an attempt runs, or when the refresh is not waiting.
  await db.schema.alterTable('refreshes').addColumn('next_attempt_at', 'text').execute();

  await db.schema
    .createTable('bank_quirks')
    .addColumn('bank_identifier', 'text', (c) => c.primaryKey())
    // JSON `BankQuirks` (src/banks/bank.ts): only flags that were learned, each true.
    .addColumn('quirks', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

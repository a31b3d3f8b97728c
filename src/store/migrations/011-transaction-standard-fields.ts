import type { Kysely } from 'kysely';

/**
 * What the UAE and KSA standards say about a transaction beyond the seed's fields, as added,
 * nullable columns (null: the bank did not say; always, for OBIE banks). Amounts in minor units of
 * their own currency; `flags` and `bill` are the served JSON (a list and an object), decoded once
 * per row when read.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const columns: [string, 'text' | 'bigint'][] = [
    ['transaction_mutability', 'text'],
    ['payment_mode', 'text'],
    ['charge_minor', 'bigint'],
    ['charge_currency', 'text'],
    ['charge_vat_minor', 'bigint'],
    ['charge_vat_currency', 'text'],
    ['flags', 'text'],
    ['bill', 'text'],
    ['local_time_zone', 'text'],
  ];
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  for (const [name, type] of columns) await db.schema.alterTable('transactions').addColumn(name, type).execute();
}

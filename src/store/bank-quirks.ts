import type { Kysely } from 'kysely';
import type { BankQuirks } from '../banks/bank.ts';
import type { DB } from './schema.ts';

/** The quirks openlean learned about the bank by itself; none yet: `{}`. */
export async function learnedQuirks(db: Kysely<DB>, bankIdentifier: string): Promise<BankQuirks> {
  const row = await db.selectFrom('bank_quirks').select('quirks').where('bank_identifier', '=', bankIdentifier).executeTakeFirst();
  return row ? (JSON.parse(row.quirks) as BankQuirks) : {};
}

/**
 * Adds `quirks` to what is remembered of the bank (flags are only ever learned, never unlearned:
 * an operator clears a row by hand, docs/banks.md).
 *
 * @example await rememberQuirks(db, 'SANDBOX_FALCON_AE', { no_transaction_date_filter: true }, now)
 */
export async function rememberQuirks(db: Kysely<DB>, bankIdentifier: string, quirks: BankQuirks, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const merged = { ...(await learnedQuirks(trx, bankIdentifier)), ...quirks };
    await trx
      .insertInto('bank_quirks')
      .values({ bank_identifier: bankIdentifier, quirks: JSON.stringify(merged), updated_at: now.toISOString() })
      .onConflict((oc) => oc.column('bank_identifier').doUpdateSet({ quirks: JSON.stringify(merged), updated_at: now.toISOString() }))
      .execute();
  });
}

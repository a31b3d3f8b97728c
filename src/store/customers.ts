import type { Kysely } from 'kysely';
import { PAGE_TOTAL, pageAndTotal } from './page-total.ts';
import type { CustomerRow, DB } from './schema.ts';

/** Inserts a customer; returns false when the application already has one with that app_user_id. */
export async function insertCustomer(db: Kysely<DB>, customer: CustomerRow): Promise<boolean> {
  const result = await db
    .insertInto('customers')
    .values(customer)
    .onConflict((oc) => oc.columns(['app_id', 'app_user_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function findCustomer(db: Kysely<DB>, appId: string, customerId: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('app_id', '=', appId).where('id', '=', customerId).executeTakeFirst();
}

export async function findCustomerByAppUserId(db: Kysely<DB>, appId: string, appUserId: string): Promise<CustomerRow | undefined> {
  return db
    .selectFrom('customers')
    .selectAll()
    .where('app_id', '=', appId)
    .where('app_user_id', '=', appUserId)
    .executeTakeFirst();
}

/** Oldest first, so pages stay stable while customers are added. */
export async function listCustomers(
  db: Kysely<DB>,
  appId: string,
  page: { offset: number; limit: number },
): Promise<{ rows: CustomerRow[]; total: number }> {
  const found = await db
    .selectFrom('customers')
    .selectAll()
    .select(PAGE_TOTAL)
    .where('app_id', '=', appId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return pageAndTotal(found, page.offset, () => db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('app_id', '=', appId).executeTakeFirstOrThrow());
}

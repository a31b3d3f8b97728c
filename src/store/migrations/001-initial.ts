import type { Kysely } from 'kysely';

/** Tenancy, auth keys, entities and the stored bank data. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    .addColumn('client_secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('private_jwk', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('applications.id'))
    .addColumn('app_user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('customers_app_user_unique', ['app_id', 'app_user_id'])
    .execute();
  await db.schema.createIndex('customers_app_created').on('customers').columns(['app_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('entities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('applications.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('bank_identifier', 'text', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('consent_expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('data_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('synced_at', 'text')
    .execute();
  await db.schema.createIndex('entities_customer_created').on('entities').columns(['customer_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('entity_id', 'text', (c) => c.notNull().references('entities.id'))
    .addColumn('bank_account_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addUniqueConstraint('accounts_entity_bank_unique', ['entity_id', 'bank_account_id'])
    .execute();

  await db.schema
    .createTable('transactions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('bank_transaction_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('booking_at', 'text', (c) => c.notNull())
    .addColumn('value_at', 'text')
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('credit_debit', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('merchant_name', 'text')
    .addColumn('merchant_category_code', 'text')
    .addColumn('bank_transaction_code', 'text')
    .addColumn('pending_transaction_id', 'text')
    .addUniqueConstraint('transactions_account_key_unique', ['account_id', 'key'])
    .execute();
  // The read path's only index: newest first within an account, keyset on (booking_at, id).
  await db.schema
    .createIndex('transactions_account_booking')
    .on('transactions')
    .columns(['account_id', 'booking_at desc', 'id desc'])
    .execute();

  await db.schema
    .createTable('resource_sets')
    .addColumn('entity_id', 'text', (c) => c.notNull().references('entities.id'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('fetched_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('resource_sets_pk', ['entity_id', 'account_id', 'resource'])
    .execute();
}

import type { Kysely } from 'kysely';

/**
 * The schema the state file had before it was migrated: `IF NOT EXISTS` throughout, so a file
 * written by that version opens with its data and is only recorded as being at this migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('consents')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bank', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('status_updated_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('transactions_from', 'text')
    .addColumn('transactions_to', 'text')
    .addColumn('login', 'text')
    .addColumn('account_ids', 'text')
    .execute();

  await db.schema
    .createTable('journeys')
    .ifNotExists()
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('bank', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('login', 'text')
    .addColumn('otp_failures', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('journeys_pkey', ['bank', 'uid'])
    .execute();

  await db.schema
    .createTable('oidc_models')
    .ifNotExists()
    .addColumn('bank', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('uid', 'text')
    .addColumn('user_code', 'text')
    .addColumn('expires_at', 'integer')
    .addPrimaryKeyConstraint('oidc_models_pkey', ['bank', 'model', 'id'])
    .execute();
  await db.schema.createIndex('oidc_models_grant').ifNotExists().on('oidc_models').columns(['bank', 'grant_id']).execute();
  await db.schema.createIndex('oidc_models_uid').ifNotExists().on('oidc_models').columns(['bank', 'model', 'uid']).execute();

  await db.schema
    .createTable('bank_keys')
    .ifNotExists()
    .addColumn('bank', 'text', (c) => c.primaryKey())
    .addColumn('jwks', 'text', (c) => c.notNull())
    .addColumn('id_token_alg', 'text', (c) => c.notNull())
    .addColumn('cookie_secret', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .ifNotExists()
    .addColumn('bank', 'text', (c) => c.notNull())
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('faults', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('users_pkey', ['bank', 'login'])
    .execute();

  await db.schema
    .createTable('bank_faults')
    .ifNotExists()
    .addColumn('bank', 'text', (c) => c.primaryKey())
    .addColumn('faults', 'text', (c) => c.notNull())
    .execute();
}

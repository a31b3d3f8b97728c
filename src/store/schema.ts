import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * The database as Kysely sees it. Portable column types only: ids, timestamps (ISO 8601 UTC,
 * which sort as text) and JSON are text; money is integer minor units; booleans are 0/1.
 */
export interface DB {
  applications: ApplicationTable;
  signing_keys: SigningKeyTable;
  customers: CustomerTable;
  entities: EntityTable;
  accounts: AccountTable;
  transactions: TransactionTable;
  resource_sets: ResourceSetTable;
}

export interface ApplicationTable {
  id: string;
  name: string;
  client_id: string;
  client_secret_hash: string;
  created_at: string;
}

export interface SigningKeyTable {
  kid: string;
  alg: string;
  private_jwk: string;
  public_jwk: string;
  created_at: string;
}

export interface CustomerTable {
  id: string;
  app_id: string;
  app_user_id: string;
  created_at: string;
}

export interface EntityTable {
  id: string;
  app_id: string;
  customer_id: string;
  bank_identifier: string;
  /** JSON array of permissions. */
  permissions: string;
  status: 'ACTIVE' | 'RECONNECT_REQUIRED' | 'EXPIRED' | 'REVOKED';
  consent_expires_at: string;
  created_at: string;
  updated_at: string;
  /** Bumped by every write of the entity's bank data; reads derive their ETag from it. */
  data_version: Generated<number>;
  /** When the entity's data was last written completely; null until the first refresh finished. */
  synced_at: string | null;
}

export interface AccountTable {
  id: string;
  entity_id: string;
  bank_account_id: string;
  position: number;
  /** The `Account` body without `account_id`, as JSON. */
  payload: string;
}

export interface TransactionTable {
  id: string;
  entity_id: string;
  account_id: string;
  key: string;
  bank_transaction_id: string | null;
  status: 'BOOKED' | 'PENDING';
  booking_at: string;
  value_at: string | null;
  amount_minor: number;
  currency: string;
  credit_debit: 'CREDIT' | 'DEBIT';
  description: string;
  reference: string | null;
  merchant_name: string | null;
  merchant_category_code: string | null;
  bank_transaction_code: string | null;
  pending_transaction_id: string | null;
  /** Hash of the fetched content; an upsert only rewrites a row whose content changed. */
  content_hash: string;
}

/** A whole per-account (or, with account_id '', per-entity) resource list as its JSON body. */
export interface ResourceSetTable {
  entity_id: string;
  account_id: string;
  resource: string;
  payload: string;
  fetched_at: string;
}

export type ApplicationRow = Selectable<ApplicationTable>;
export type CustomerRow = Selectable<CustomerTable>;
export type EntityRow = Selectable<EntityTable>;
export type TransactionRow = Selectable<TransactionTable>;
export type NewTransaction = Insertable<TransactionTable>;

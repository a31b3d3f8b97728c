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
  entity_connections: EntityConnectionTable;
  refreshes: RefreshTable;
  jobs: JobTable;
  idempotency_keys: IdempotencyKeyTable;
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
}

/** A whole per-account (or, with account_id '', per-entity) resource list as its JSON body. */
export interface ResourceSetTable {
  entity_id: string;
  account_id: string;
  resource: string;
  payload: string;
  fetched_at: string;
}

/** How openlean reaches an entity's consent at its bank. */
export interface EntityConnectionTable {
  entity_id: string;
  consent_id: string;
  /** `BankCredentials` as JSON, sealed with the encryption key. */
  credentials: string;
  updated_at: string;
}

export type RefreshTrigger = 'INITIAL' | 'MANUAL' | 'SCHEDULED';
export type RefreshStatus = 'PENDING' | 'IN_PROGRESS' | 'FINISHED' | 'FAILED';

export interface RefreshTable {
  id: string;
  entity_id: string;
  trigger: RefreshTrigger;
  status: RefreshStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** JSON `[{resource, status, records}]`. */
  resources: string;
  error_code: string | null;
  error_detail: string | null;
}

export interface IdempotencyKeyTable {
  app_id: string;
  key: string;
  entity_id: string;
  refresh_id: string;
  created_at: string;
}

/** A unit of background work, leased by one worker at a time; at-least-once. */
export interface JobTable {
  id: string;
  kind: string;
  payload: string;
  /** Not before this instant. */
  run_at: string;
  attempts: Generated<number>;
  max_attempts: number;
  locked_by: string | null;
  /** The lease: another worker may take the job once it has passed. */
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
}

export type RefreshRow = Selectable<RefreshTable>;
export type JobRow = Selectable<JobTable>;
export type ApplicationRow = Selectable<ApplicationTable>;
export type CustomerRow = Selectable<CustomerTable>;
export type EntityRow = Selectable<EntityTable>;
export type TransactionRow = Selectable<TransactionTable>;
export type NewTransaction = Insertable<TransactionTable>;

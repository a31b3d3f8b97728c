import type { Generated, Insertable, Selectable } from 'kysely';
import type { AuditKind, AuditOutcome } from '../domain/audit.ts';
import type { Bill, BookingStatus, CreditDebit, PaymentMode, TransactionFlag, TransactionMutability } from '../domain/bank-data.ts';
import type { EntityStatus } from '../domain/entity-status.ts';
import type { Language } from '../domain/language.ts';
import type { Permission } from '../domain/permissions.ts';
import type { RefreshErrorCode, RefreshStatus, RefreshTrigger, ResourceProgress } from '../domain/refresh.ts';
import type { WebhookDeliveryStatus } from '../domain/webhook-delivery.ts';

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
  transaction_chunks: TransactionChunkTable;
  transaction_heads: TransactionHeadTable;
  resource_sets: ResourceSetTable;
  entity_connections: EntityConnectionTable;
  refreshes: RefreshTable;
  jobs: JobTable;
  idempotency_keys: IdempotencyKeyTable;
  link_sessions: LinkSessionTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_events: WebhookEventTable;
  webhook_deliveries: WebhookDeliveryTable;
  sandbox_application: SandboxApplicationTable;
  rate_limit_windows: RateLimitWindowTable;
  transaction_tombstones: TransactionTombstoneTable;
  bank_quirks: BankQuirksTable;
  data_results: DataResultTable;
  audit_segments: AuditSegmentTable;
  audit_segment_keys: AuditSegmentKeyTable;
}

export interface ApplicationTable {
  id: string;
  name: string;
  client_id: string;
  client_secret_hash: string;
  created_at: string;
}

/** One row (`slot` = 'default'): the sandbox application every process of the deployment shows. */
export interface SandboxApplicationTable {
  slot: string;
  app_id: string;
  client_secret_sealed: string;
  created_at: string;
}

/** Requests of one key (an application) in one fixed window, summed over the API processes. */
export interface RateLimitWindowTable {
  key: string;
  /** Start of the window, ms since the epoch. */
  window_start: number;
  hits: number;
}

export interface SigningKeyTable {
  kid: string;
  alg: string;
  /** The private JWK, sealed with the encryption key (associated data `signing-key:<kid>`). */
  private_jwk_sealed: string;
  public_jwk: string;
  /** When it was made, and published in JWKS. */
  created_at: string;
  /** When it starts signing new tokens; it stops when the next key's activation comes. */
  activates_at: string;
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
  /** JSON array of permissions; `EntityRow` has them decoded. */
  permissions: string;
  status: EntityStatus;
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
  /** The last number of the account's transactions change sequence (docs/decisions/012). */
  change_seq: Generated<number>;
  /** The newest removal pruned from `transaction_tombstones`: sync cursors before it are expired. */
  sync_pruned_seq: Generated<number>;
  /** Its stored transactions, counted by the write that last reconciled them; null before migration 016 until then. */
  transaction_count: number | null;
}

/** An account's transactions rendered in chunks, oldest first (migration 017, src/store/transaction-chunks.ts). */
export interface TransactionChunkTable {
  account_id: string;
  entity_id: string;
  /** 0-based; holds the account's rows at ascending (oldest first) positions `chunk * 100` on. */
  chunk: number;
  first_at: string;
  first_id: string;
  /** Each row's `${booking_at} ${id}`, newest first, joined by newlines. */
  keys: string;
  /** Each row's end in `json`, in UTF-16 code units (JavaScript string indices), as 8 digits each; a row starts one after the one before ends (the comma). */
  ends: string;
  /** The same ends in bytes of UTF-8. */
  byte_ends: string;
  /** The rows' stored JSON (`transactions.api_json`), newest first, joined by commas. */
  json: string;
  /** `TRANSACTION_JSON_VERSION` of the rows' JSON. */
  version: number;
}

/**
 * An account's newest transactions (at most 100) as a first page answers them (migration 018,
 * src/store/transaction-heads.ts): one row per account that has chunks.
 */
export interface TransactionHeadTable {
  account_id: string;
  entity_id: string;
  /** Each row's `${booking_at} ${id}`, newest first, joined by newlines. */
  keys: string;
  /** Each row's end in `body`, in UTF-16 code units, as 8 digits each; a row starts one after the one before ends (the comma; the first, after the `[`). */
  ends: string;
  /** The same ends in bytes of UTF-8. */
  byte_ends: string;
  /** The rows' stored JSON, newest first, as a JSON array: `[row,row,…]`, the body of a page of all of them. */
  body: string;
  /** `TRANSACTION_JSON_VERSION` of the rows' JSON. */
  version: number;
}

export interface TransactionTable {
  id: string;
  entity_id: string;
  account_id: string;
  key: string;
  bank_transaction_id: string | null;
  status: BookingStatus;
  booking_at: string;
  value_at: string | null;
  amount_minor: number;
  currency: string;
  credit_debit: CreditDebit;
  description: string;
  reference: string | null;
  merchant_name: string | null;
  merchant_category_code: string | null;
  bank_transaction_code: string | null;
  pending_transaction_id: string | null;
  transaction_mutability: TransactionMutability | null;
  payment_mode: PaymentMode | null;
  charge_minor: number | null;
  charge_currency: string | null;
  charge_vat_minor: number | null;
  charge_vat_currency: string | null;
  /** JSON list of the Lean flag words. */
  flags: string | null;
  /** JSON of the Lean `bill` object. */
  bill: string | null;
  local_time_zone: string | null;
  /** The transaction as the data API serves it (JSON), written with the row (migration 016). */
  api_json: string | null;
  /** The rendering that wrote `api_json` (`TRANSACTION_JSON_VERSION`); null before migration 016. */
  api_json_version: number | null;
  /** The account's change sequence number of the write that added the row (0: before the sequence existed). */
  created_seq: Generated<number>;
  /** The sequence number of the last write that changed the row; null while it never changed. */
  modified_seq: Generated<number | null>;
}

/** A transaction removed from an account (withdrawn by the bank, or a pending one that booked): the sync feed's `removed`. */
export interface TransactionTombstoneTable {
  account_id: string;
  /** The account's change sequence number of the write that removed it. */
  seq: number;
  transaction_id: string;
  entity_id: string;
  /** The removed row's `created_seq`. */
  created_seq: number;
  /** When it was removed (ISO 8601 UTC): tombstones are kept a year. */
  removed_at: string;
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

export interface RefreshTable {
  id: string;
  entity_id: string;
  trigger: RefreshTrigger;
  status: RefreshStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** JSON `ResourceProgress[]` (src/domain/refresh.ts); `RefreshRow` has it decoded. */
  resources: string;
  /** Why it failed, or, while it waits to try again, why the last attempt failed. */
  error_code: RefreshErrorCode | null;
  error_detail: string | null;
  /** Attempts started so far (the current one included); waits the bank asked for do not count. */
  attempts: number;
  /** ISO 8601: when the next attempt runs, while the refresh waits for it; else null. */
  next_attempt_at: string | null;
}

/** Quirks openlean learned about a bank by itself (src/banks/bank.ts `BankQuirks`). */
export interface BankQuirksTable {
  bank_identifier: string;
  /** JSON `BankQuirks`. */
  quirks: string;
  updated_at: string;
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

/**
 * One hosted consent journey. `open`: the user is choosing a bank or reviewing; `at_bank`: a
 * consent was started and the user was sent to the bank with `state`; `returned`: the callback
 * claimed the state (so it works once); then `completed` or `failed` with `failure_reason`.
 */
export type LinkSessionStatus = 'open' | 'at_bank' | 'returned' | 'completed' | 'failed';

export interface LinkSessionTable {
  /** Random, unguessable: the journey's token-free URLs carry it. */
  id: string;
  app_id: string;
  customer_id: string;
  mode: 'connect' | 'reconnect';
  /** The entity being reconnected; null when connecting a new one. */
  entity_id: string | null;
  /** Null until the user chose a bank, unless the caller fixed it (`bank_fixed`). */
  bank_identifier: string | null;
  /** 1 when the link named the bank (or the entity did, on reconnect): the user cannot change it. */
  bank_fixed: number;
  /** JSON array of permissions. */
  permissions: string;
  redirect_uri: string | null;
  /** Where the result is posted when the journey runs in the SDK's popup. */
  origin: string | null;
  language: Language;
  consent_id: string | null;
  consent_expires_at: string | null;
  state: string | null;
  nonce: string | null;
  /** Sealed with the encryption key. */
  code_verifier: string | null;
  status: LinkSessionStatus;
  failure_reason: string | null;
  result_entity_id: string | null;
  expires_at: string;
  created_at: string;
  updated_at: string;
}

/** A journey as its repository (src/store/link-sessions.ts) returns it: `permissions` decoded. */
export type LinkSessionRow = Omit<Selectable<LinkSessionTable>, 'permissions'> & { permissions: Permission[] };

/** Where an application's events go; one per application. */
export interface WebhookEndpointTable {
  app_id: string;
  url: string;
  /** The signing secret (`whsec_…`), sealed with the encryption key. */
  secret: string;
  /** The secret rotated out, sealed; it signs beside the new one until `previous_secret_expires_at`. */
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The outbox: an event is written in the transaction of the change it announces. */
export interface WebhookEventTable {
  /** A time-ordered UUID (v7): the `event_id` and the Standard Webhooks `webhook-id`. */
  id: string;
  app_id: string;
  type: string;
  /** The JSON body every delivery attempt sends, byte for byte. */
  body: string;
  created_at: string;
}

/** One attempt to deliver an event. */
export interface WebhookDeliveryTable {
  id: string;
  app_id: string;
  event_id: string;
  /** 1 for the first attempt of a delivery; a redelivery starts again at 1. */
  attempt: number;
  status: WebhookDeliveryStatus;
  url: string;
  /** The receiver's HTTP status; null when none came (refused URL, connection error, timeout). */
  response_status: number | null;
  latency_ms: number;
  error: string | null;
  attempted_at: string;
  /** When the next attempt is due; null when none will be made (delivered, or given up). */
  next_attempt_at: string | null;
}

/** A refresh as its repository (src/store/refreshes.ts) returns it: `resources` decoded. */
export type RefreshRow = Omit<Selectable<RefreshTable>, 'resources'> & { resources: ResourceProgress[] };
/** A job as the queue's table hands it out (src/jobs/embedded-jobs.ts): `payload` decoded. */
export type JobRow = Omit<Selectable<JobTable>, 'payload'> & { payload: unknown };
export type SandboxApplicationRow = Selectable<SandboxApplicationTable>;
export type ApplicationRow = Selectable<ApplicationTable>;
export type CustomerRow = Selectable<CustomerTable>;
/** An entity as its repository (src/store/entities.ts) returns it: `permissions` decoded. */
export type EntityRow = Omit<Selectable<EntityTable>, 'permissions'> & { permissions: Permission[] };
export type WebhookEndpointRow = Selectable<WebhookEndpointTable>;
export type WebhookEventRow = Selectable<WebhookEventTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>;
/** A transaction as its repositories return it: `flags` and `bill` decoded (src/store/transaction-rows.ts). */
export type TransactionRow = Omit<Selectable<TransactionTable>, 'flags' | 'bill'> & { flags: TransactionFlag[] | null; bill: Bill | null };
export type NewTransaction = Insertable<TransactionTable>;

/** A data read asked for asynchronously (Lean's `results_id`; migration 012, docs/decisions/015). */
export interface DataResultTable {
  id: string;
  app_id: string;
  entity_id: string;
  /** The read's operationId (`getAccounts`, `getTransactions`, …). */
  operation: string;
  /** JSON: the read's path parameters. */
  params: string;
  /** JSON: the read's own query parameters (filters), without paging or Lean's flags. */
  query: string;
  /** The refresh the read waits for; null when it waited for none. */
  refresh_id: string | null;
  status: 'PENDING' | 'READY';
  created_at: string;
  ready_at: string | null;
  expires_at: string;
}
/** A recorded read as its repository (src/store/data-results.ts) returns it: `params` and `query` decoded. */
export type DataResultRow = Omit<Selectable<DataResultTable>, 'params' | 'query'> & { params: Record<string, unknown>; query: Record<string, unknown> };

/**
 * One audit record, as read back from its segment (docs/decisions/017, 021): never updated,
 * deleted by retention. `at` is ISO 8601 UTC with milliseconds; lists order by (`at`, `id`).
 */
export interface AuditEventRow {
  id: string;
  app_id: string;
  customer_id: string | null;
  entity_id: string | null;
  kind: AuditKind;
  operation: string | null;
  resource: string | null;
  account_id: string | null;
  subject: string | null;
  request_id: string | null;
  status: number | null;
  outcome: AuditOutcome;
  error_code: string | null;
  detail: string | null;
  at: string;
}

/** A batch of one application's audit records (migration 015, src/audit/segment.ts): inserted, never updated, deleted by retention. */
export interface AuditSegmentTable {
  id: string;
  app_id: string;
  /** The first and last record's time, ISO 8601 UTC with ms. */
  first_at: string;
  last_at: string;
  count: number;
  /** The records, as the segment's JSON text. */
  records: string;
}

/** What a segment's records are found by: one row per distinct (entity, kind) among them, `n` records each. */
export interface AuditSegmentKeyTable {
  segment_id: string;
  app_id: string;
  entity_id: string | null;
  /** The entity's customer when the entity is the application's, else null. */
  customer_id: string | null;
  kind: AuditKind;
  n: number;
}

import type { DataResource, Permission } from '../domain/permissions.ts';
import type { EntitySnapshot } from '../domain/snapshot.ts';
import type { BankDefinition, BankQuirks } from './bank.ts';

/**
 * The one interface between openlean and a bank. Everything bank-protocol-specific (OBIE wire
 * types, OAuth details, paging, retries) stays behind it; callers see domain types only.
 */
export interface BankConnector {
  /** Registers a consent at the bank and builds the URL the end user must visit to authorise it. */
  startConsent(input: StartConsentInput): Promise<ConsentStart>;
  /**
   * Validates what the bank sent back (state, and for the hybrid flow the ID token as detached
   * signature) and exchanges its code for the consent's tokens, validating the ID token.
   */
  exchangeCode(input: ExchangeCodeInput): Promise<BankCredentials>;
  /**
   * Fetches the entity's data. A malformed record is skipped and a malformed answer fails that
   * resource of that account (its place in the snapshot stays undefined), both said in `report`;
   * anything else throws `BankError`, and so does a malformed account list (`malformed`).
   */
  fetchData(input: FetchDataInput): Promise<FetchDataResult>;
  /**
   * Revokes the consent at the bank with the client's own token (OBIE's DELETE needs none of the
   * user's), so a consent whose tokens were never stored can be revoked too; a consent the bank
   * no longer knows counts as revoked.
   */
  revokeConsent(input: { bank: BankDefinition; consent_id: string }): Promise<void>;
}

/** A consent's secrets; the caller stores them encrypted and hands them back on every call. */
export interface BankCredentials {
  consent_id: string;
  access_token: string;
  refresh_token: string | null;
  /** ISO 8601; null when the bank did not say. */
  access_token_expires_at: string | null;
  /**
   * ISO 8601: when a refresh grant got no answer. The bank has then usually rotated the refresh
   * token already, so a following `invalid_grant` is explained by this, not by the user.
   * Absent (credentials stored before this existed) means null.
   */
  refresh_answer_lost_at?: string | null;
}

export interface StartConsentInput {
  bank: BankDefinition;
  permissions: readonly Permission[];
  /** ISO 8601: when the consent should expire at the bank. */
  expires_at: string;
  /** Where the bank sends the user back, with `code` and `state`. */
  redirect_uri: string;
  /** The user's language (`en`, `ar`), passed on as `ui_locales` for the bank's own pages. */
  language?: string;
}

export interface ConsentStart {
  consent_id: string;
  authorize_url: string;
  /** Keep these until the user returns: `state` to match the callback, the verifier for the exchange. */
  state: string;
  nonce: string;
  code_verifier: string;
}

export interface ExchangeCodeInput {
  bank: BankDefinition;
  consent_id: string;
  /** Every parameter the bank sent back (`code`, `state`, `iss`, and `id_token` in the hybrid flow). */
  params: Readonly<Record<string, string>>;
  /** What `startConsent` returned, kept until the user came back. */
  state: string;
  nonce: string;
  code_verifier: string;
  redirect_uri: string;
}

export interface FetchDataInput {
  bank: BankDefinition;
  credentials: BankCredentials;
  /** The resources to fetch (already limited to what the consent grants). `accounts` is always fetched. */
  resources: readonly DataResource[];
  /** Fetch transactions booked at or after this instant (ISO 8601); null fetches the whole history. */
  transactions_from: string | null;
  signal?: AbortSignal;
  /**
   * Called with the new credentials as soon as the access token was refreshed, before the fetch
   * goes on. Banks rotate refresh tokens (the old one stops working), so store these even when
   * the fetch then fails; otherwise the next attempt finds a dead refresh token.
   */
  onCredentials?: (credentials: BankCredentials) => Promise<void> | void;
}

export interface FetchDataResult {
  snapshot: EntitySnapshot;
  /** What was skipped, failed or learned on the way, per resource. */
  report: FetchReport;
  /** The credentials after the fetch: different from the input when the access token was refreshed. */
  credentials: BankCredentials;
}

/** One resource of one fetch: how its parts (one per account, or the entity's one) went. */
export interface ResourceReport {
  /** Parts fetched, whatever was skipped in them. */
  fetched: number;
  /** Parts whose answer was malformed: nothing of them is in the snapshot. */
  failed: number;
  /** Why the first of them failed; null when none did. */
  failure: string | null;
  /** Records the bank sent that are not in the snapshot (malformed, of an unknown meaning, rejected, duplicated). */
  skipped: number;
  /** What the bank got wrong and what was done about it, at most 20, for the refresh's status. Never account data. */
  issues: string[];
}

export interface FetchReport {
  resources: Partial<Record<DataResource, ResourceReport>>;
  /** Quirks the bank showed during the fetch, for openlean to remember for its next fetches. */
  learned: BankQuirks;
}

/**
 * Why a bank call failed, in terms the refresh engine acts on:
 * - `reconnect_required`: the consent is dead (expired, revoked, 401/403): the entity needs the user again; do not retry.
 * - `unavailable`: 5xx, timeouts, connection errors, open circuit: retry later.
 * - `malformed`: the answer breaks the bank's standard (no body, not the shape, a list that is no
 *   list): asking again gets the same answer, so do not retry; the resource fails, not the fetch.
 * - `rate_limited`: 429 that outlasted the connector's own waiting; retry after `retry_after_ms`.
 * - `rejected`: the bank refused the request itself (4xx other than the above): a bug or misconfiguration; do not retry.
 */
export type BankErrorKind = 'reconnect_required' | 'unavailable' | 'malformed' | 'rate_limited' | 'rejected';

export class BankError extends Error {
  readonly kind: BankErrorKind;
  readonly resource: DataResource | null;
  readonly retry_after_ms: number | null;
  readonly status: number | null;

  constructor(kind: BankErrorKind, message: string, options: { resource?: DataResource | null; retry_after_ms?: number | null; status?: number | null; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'BankError';
    this.kind = kind;
    this.resource = options.resource ?? null;
    this.retry_after_ms = options.retry_after_ms ?? null;
    this.status = options.status ?? null;
  }

  get retryable(): boolean {
    return this.kind === 'unavailable' || this.kind === 'rate_limited';
  }
}

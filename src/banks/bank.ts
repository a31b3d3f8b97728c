import type { Permission } from '../domain/permissions.ts';

/**
 * A bank openlean may connect to, as the operator configured it (`BANKS_FILE`, docs/banks.md) or
 * as the embedded default configures its sandbox banks: everything a real connection needs, and
 * nothing about how the bank is implemented. The connector of `standard` speaks to it.
 */
export interface BankDefinition {
  /** `[A-Z0-9_]+`, unique in the registry; what the API calls `bank_identifier`. */
  identifier: string;
  name: string;
  /** Its name in Arabic, shown on the Arabic link pages and found by their search; `name` when absent. */
  name_ar?: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** ISO 4217: the currency its accounts are held in. */
  currency: string;
  /** IANA zone the bank books in; transaction date filters use it. */
  time_zone: string;
  /** Logo as a URL (`https:` or `data:`); null when none was configured. */
  logo: string | null;
  capabilities: readonly Capability[];
  /** The Lean permissions the bank can grant; all of them unless configured. */
  permissions: readonly Permission[];
  /** The account-information API standard it speaks. */
  standard: Standard;
  /** A built-in sandbox bank: listed and selectable in sandbox mode only, never in production. */
  sandbox: boolean;
  /** Its authorization server's issuer; OpenID discovery is at `{issuer}/.well-known/openid-configuration`. */
  issuer: string;
  /** Base URL of its account-information API, e.g. `https://api.bank.example/open-banking/v3.1/aisp`. */
  api_base_url: string;
  /** openlean's client id at the bank (from its registration there). */
  client_id: string;
  /** How openlean authenticates at the token and PAR endpoints (RFC 7523 §2.2 / RFC 8705 §2.1). */
  client_auth: ClientAuth;
  /** openlean's key for client assertions and request objects (JAR), as its bank registration names it. */
  signing: { key_pem: string; kid: string; alg: SigningAlg };
  /** openlean's mutual-TLS client certificate (RFC 8705) and its key, PEM. */
  transport: { cert_pem: string; key_pem: string };
  /** PEM trust anchors for this bank's TLS servers; null trusts the system's. */
  ca_pem: string | null;
  security_profile: SecurityProfile;
  /** Whether authorization requests go through PAR (RFC 9126); FAPI 2.0 requires it. */
  par: boolean;
  /** `code id_token` is FAPI 1.0 Advanced's hybrid flow, the ID token serving as detached signature. */
  response_type: ResponseType;
  /** Scopes asked of the user besides `openid`, e.g. `['accounts']`. */
  scopes: readonly string[];
  /**
   * UAE v2.1 only: ask for signed responses (`Accept: application/jwt`) and use an answer only once
   * its signature (the bank's JWKS), `iss`, `aud` and times check out (docs/decisions/014-uae-signed-responses-and-fields.md).
   */
  signed_responses: boolean;
  /**
   * How the bank departs from its standard, as configured; what openlean learned by itself
   * (`bank_quirks` table) is added for each fetch. Absent: none.
   */
  quirks?: BankQuirks;
}

/**
 * Ways a bank departs from its standard that openlean works around, one named flag each
 * (docs/banks.md, docs/decisions/013-partial-data-and-bank-quirks.md).
 */
export interface BankQuirks {
  /**
   * The bank refuses (400) transaction requests filtered by `fromBookingDateTime`: transactions
   * are fetched whole and filtered by openlean. Learned the first time the bank refuses one.
   */
  no_transaction_date_filter?: boolean;
}

/** Every quirk, for configuration checks. */
export const BANK_QUIRKS = ['no_transaction_date_filter'] as const satisfies readonly (keyof BankQuirks)[];

export const STANDARDS = ['obie-3.1', 'uae-2.1', 'ksa-2022.11'] as const;
export type Standard = (typeof STANDARDS)[number];

export const CLIENT_AUTHS = ['private_key_jwt', 'tls_client_auth'] as const;
export type ClientAuth = (typeof CLIENT_AUTHS)[number];

export const SIGNING_ALGS = ['PS256', 'ES256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export const SECURITY_PROFILES = ['fapi1-advanced', 'fapi2'] as const;
export type SecurityProfile = (typeof SECURITY_PROFILES)[number];

export const RESPONSE_TYPES = ['code', 'code id_token'] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];

export const CAPABILITIES = ['data'] as const;
export type Capability = (typeof CAPABILITIES)[number];

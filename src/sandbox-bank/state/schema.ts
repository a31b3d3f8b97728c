import type { Profile } from '../generator/model.ts';
import type { JourneyStep, StoredConsentStatus } from '../state.ts';

/**
 * The sandbox banks' state file as Kysely sees it (state.ts turns rows into records). Timestamps
 * are ISO 8601 text, except the instants compared on every read (expiries), which are epoch ms;
 * JSON is text.
 */
export interface SandboxDB {
  consents: ConsentTable;
  journeys: JourneyTable;
  oidc_models: OidcModelTable;
  bank_keys: BankKeyTable;
  users: UserTable;
  bank_faults: BankFaultTable;
}

export interface ConsentTable {
  id: string;
  bank: string;
  status: StoredConsentStatus;
  /** JSON array of OBIE permissions. */
  permissions: string;
  created_at: string;
  status_updated_at: string;
  expires_at: string | null;
  transactions_from: string | null;
  transactions_to: string | null;
  login: string | null;
  /** JSON array of account ids; null until authorised. */
  account_ids: string | null;
}

export interface JourneyTable {
  uid: string;
  bank: string;
  step: JourneyStep;
  login: string | null;
  otp_failures: number;
  /** Epoch ms. */
  expires_at: number;
}

/** One oidc-provider artifact; the columns beside the payload are the keys its adapter finds it by. */
export interface OidcModelTable {
  bank: string;
  model: string;
  id: string;
  /** JSON object. */
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  /** Epoch ms; null when it never expires. */
  expires_at: number | null;
}

export interface BankKeyTable {
  bank: string;
  /** JSON `{ keys: JsonWebKey[] }`, private keys included. */
  jwks: string;
  id_token_alg: string;
  cookie_secret: string;
  version: number;
}

export interface UserTable {
  bank: string;
  login: string;
  profile: Profile;
  /** JSON `FaultSwitches`. */
  faults: string;
}

export interface BankFaultTable {
  bank: string;
  /** JSON `FaultSwitches`. */
  faults: string;
}

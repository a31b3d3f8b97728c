import type {
  Account,
  Bill,
  BookingStatus,
  AccountIdentity,
  Balance,
  Beneficiary,
  CreditDebit,
  DirectDebit,
  Identity,
  PaymentMode,
  ScheduledPayment,
  StandingOrder,
  TransactionFlag,
  TransactionMutability,
} from './bank-data.ts';

/**
 * What one fetch of an entity's data at its bank produced, in domain terms: the only input of the
 * store's write path (`applySnapshot`). A resource left `undefined` was not fetched (no permission,
 * or not part of this refresh) and keeps its stored data; an empty array means the bank has none.
 */
export interface EntitySnapshot {
  /** When the fetch happened (ISO 8601 UTC). */
  fetched_at: string;
  accounts: FetchedAccount[];
  identity?: Identity | null;
}

export interface FetchedAccount {
  /** The bank's own id for the account, stable for one consent. */
  bank_account_id: string;
  account: Omit<Account, 'account_id'>;
  balances?: Balance[];
  transactions?: FetchedTransactions;
  beneficiaries?: Beneficiary[];
  direct_debits?: DirectDebit[];
  standing_orders?: StandingOrder[];
  scheduled_payments?: ScheduledPayment[];
  account_identities?: AccountIdentity[];
}

export interface FetchedTransactions {
  /**
   * Start of the booking-time window the fetch covered (ISO 8601 UTC), or null for the whole
   * history. Stored transactions inside the window that the bank no longer returns are gone
   * (`reconcileTransactions`).
   */
  from: string | null;
  items: FetchedTransaction[];
  /**
   * Records the bank sent for the window that could not be read (malformed, of an unknown
   * meaning): `items` is then not all the bank has, and a transaction missing from it may be one
   * of these rather than withdrawn. Absent: 0.
   */
  skipped?: number;
}

export interface FetchedTransaction {
  /** Identity of the real transaction: the bank's id when it is trustworthy, otherwise a fingerprint. */
  key: string;
  bank_transaction_id: string | null;
  status: BookingStatus;
  /** Booking date and time, ISO 8601 UTC. */
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
  // What only some standards say (UAE, KSA); absent or null: the bank did not say.
  transaction_mutability?: TransactionMutability | null;
  payment_mode?: PaymentMode | null;
  /** `ChargeAmount` in minor units of `charge_currency`. */
  charge_minor?: number | null;
  charge_currency?: string | null;
  /** `ChargeAmountVat` in minor units of `charge_vat_currency`. */
  charge_vat_minor?: number | null;
  charge_vat_currency?: string | null;
  /** Null when the bank sent no `Flags`; empty when it sent only unknown or null ones. */
  flags?: TransactionFlag[] | null;
  bill?: Bill | null;
  /** As the bank writes it, for example `UTC+03:00`. */
  local_time_zone?: string | null;
}

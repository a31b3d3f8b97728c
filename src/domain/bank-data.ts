import Type from 'typebox';
import { Nullable, StringEnum } from './typebox.ts';

/**
 * The bank data openlean stores and serves, defined once. Each schema is both the domain shape a
 * bank connector produces and the response body the Data API publishes; TypeScript types are
 * derived from them. Field names follow the Lean seed (snake_case); `Account` and `Transaction`
 * keep every field and enum of the seed and only add.
 */

const DateTime = Type.String({ format: 'date-time' });
const DateOnly = Type.String({ format: 'date' });

export const Amount = Type.Object(
  {
    amount: Type.Number({ description: 'Exact decimal amount in the currency\'s minor-unit precision' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  },
  { title: 'Amount' },
);
export type Amount = Type.Static<typeof Amount>;

export const ACCOUNT_TYPES = ['CURRENT', 'SAVINGS', 'CREDIT_CARD', 'LOAN'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export const Account = Type.Object(
  {
    account_id: Type.String(),
    name: Type.String(),
    type: StringEnum(ACCOUNT_TYPES),
    currency: Type.String(),
    iban: Nullable(Type.String()),
    account_number: Nullable(Type.String()),
    bic: Nullable(Type.String()),
    nickname: Nullable(Type.String()),
    holder_name: Nullable(Type.String()),
    status: StringEnum(['ENABLED', 'DISABLED', 'DELETED', 'PRO_FORMA', 'PENDING']),
    opened_at: Nullable(DateTime),
  },
  { $id: 'Account' },
);
export type Account = Type.Static<typeof Account>;

/** Whether a transaction is booked or still pending at the bank. */
export const BOOKING_STATUSES = ['BOOKED', 'PENDING'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export const CREDIT_DEBIT = ['CREDIT', 'DEBIT'] as const;
export type CreditDebit = (typeof CREDIT_DEBIT)[number];
const CreditDebitIndicator = StringEnum(CREDIT_DEBIT);

/** UAE and KSA `TransactionMutability`: a MUTABLE transaction can still change at the bank; an IMMUTABLE one is final. */
export const TRANSACTION_MUTABILITIES = ['MUTABLE', 'IMMUTABLE'] as const;
export type TransactionMutability = (typeof TRANSACTION_MUTABILITIES)[number];

/** UAE and KSA `PaymentModes`: how the payment was made (online, offline, or in a batch). */
export const PAYMENT_MODES = ['ONLINE', 'OFFLINE', 'BATCH'] as const;
export type PaymentMode = (typeof PAYMENT_MODES)[number];

/** UAE and KSA transaction `Flags`. UAE `Finance` (Islamic financing) and KSA `Loan` are both LOAN, as account types are. */
export const TRANSACTION_FLAGS = ['CASHBACK', 'PAYROLL', 'DIRECT_DEBIT', 'STANDING_ORDER', 'LOAN', 'DIVIDEND', 'OPEN_FINANCE'] as const;
export type TransactionFlag = (typeof TRANSACTION_FLAGS)[number];

/** UAE and KSA `BillDetails.BillPaymentType` (SADAD bill payments). */
export const BILL_PAYMENT_TYPES = ['POST_PAID', 'ADVANCE_PAYMENT_FOR_ROAMING', 'RECHARGE', 'RENEWAL', 'ROAMING_DEPOSIT', 'ONE_OFF', 'RECURRING_PAYMENT'] as const;
export type BillPaymentType = (typeof BILL_PAYMENT_TYPES)[number];

export const Bill = Type.Object(
  {
    biller_id: Nullable(Type.String({ description: 'The biller\'s code (SADAD `BillerId`), as text' })),
    bill_number: Nullable(Type.String()),
    payment_type: Nullable(StringEnum(BILL_PAYMENT_TYPES)),
  },
  { title: 'Bill' },
);
export type Bill = Type.Static<typeof Bill>;

export const Transaction = Type.Object(
  {
    id: Type.String(),
    amount: Amount,
    timestamp: Type.String({ format: 'date-time', description: 'Booking date and time' }),
    description: Type.String(),
    credit_debit_indicator: CreditDebitIndicator,
    booking_status: StringEnum(BOOKING_STATUSES),
    value_timestamp: Nullable(DateTime),
    reference: Nullable(Type.String()),
    merchant: Nullable(
      Type.Object({ name: Type.String(), category_code: Nullable(Type.String()) }),
    ),
    bank_transaction_code: Nullable(Type.String()),
    pending_transaction_id: Nullable(
      Type.String({ description: 'For a booked transaction that replaced a pending one, the id the pending one had' }),
    ),
    // Added fields: facts the UAE and KSA standards give and the seed has no place for. Null when
    // the bank does not say (always, for OBIE banks).
    transaction_mutability: Nullable(
      StringEnum(TRANSACTION_MUTABILITIES, { description: 'UAE/KSA `TransactionMutability`: MUTABLE can still change at the bank; IMMUTABLE is final' }),
    ),
    payment_mode: Nullable(StringEnum(PAYMENT_MODES, { description: 'UAE/KSA `PaymentModes`' })),
    charge_amount: Nullable(Type.Object(Amount.properties, { title: 'Amount', description: 'UAE/KSA `ChargeAmount`: what the bank charged for the transaction' })),
    charge_vat_amount: Nullable(Type.Object(Amount.properties, { title: 'Amount', description: 'UAE/KSA `ChargeAmountVat`: the VAT on the charge' })),
    flags: Nullable(Type.Array(StringEnum(TRANSACTION_FLAGS), { description: 'UAE/KSA `Flags`; an empty list when the bank sent none that are known' })),
    bill: Nullable(Type.Object(Bill.properties, { title: 'Bill', description: 'UAE/KSA `BillDetails`: the bill a bill payment paid' })),
    local_time_zone: Nullable(Type.String({ description: 'UAE/KSA `LocalTimeZone` of the transaction, as the bank writes it (for example `UTC+03:00`)' })),
  },
  { $id: 'Transaction' },
);
export type Transaction = Type.Static<typeof Transaction>;

export const BALANCE_TYPES = [
  'CLOSING_AVAILABLE',
  'CLOSING_BOOKED',
  'CLOSING_CLEARED',
  'EXPECTED',
  'FORWARD_AVAILABLE',
  'INFORMATION',
  'INTERIM_AVAILABLE',
  'INTERIM_BOOKED',
  'INTERIM_CLEARED',
  'OPENING_AVAILABLE',
  'OPENING_BOOKED',
  'OPENING_CLEARED',
  'PREVIOUSLY_CLOSED_BOOKED',
] as const;
export type BalanceType = (typeof BALANCE_TYPES)[number];

export const Balance = Type.Object(
  {
    type: StringEnum(BALANCE_TYPES),
    amount: Amount,
    credit_debit_indicator: CreditDebitIndicator,
    timestamp: DateTime,
    credit_lines: Type.Array(
      Type.Object({ included: Type.Boolean(), type: Nullable(Type.String()), amount: Amount }),
    ),
  },
  { $id: 'Balance' },
);
export type Balance = Type.Static<typeof Balance>;

const Counterparty = Type.Object({
  name: Nullable(Type.String()),
  iban: Nullable(Type.String()),
  account_number: Nullable(Type.String()),
  bic: Nullable(Type.String()),
});

export const Beneficiary = Type.Object(
  {
    beneficiary_id: Type.String(),
    type: Nullable(StringEnum(['TRUSTED', 'ORDINARY'])),
    reference: Nullable(Type.String()),
    creditor: Counterparty,
    bank_name: Nullable(Type.String()),
  },
  { $id: 'Beneficiary' },
);
export type Beneficiary = Type.Static<typeof Beneficiary>;

export const DirectDebit = Type.Object(
  {
    direct_debit_id: Type.String(),
    mandate_id: Type.String(),
    name: Type.String({ description: 'Name of the creditor the mandate is with' }),
    status: Nullable(StringEnum(['ACTIVE', 'INACTIVE'])),
    frequency: Nullable(Type.String()),
    previous_payment_amount: Nullable(Amount),
    previous_payment_timestamp: Nullable(DateTime),
  },
  { $id: 'DirectDebit' },
);
export type DirectDebit = Type.Static<typeof DirectDebit>;

export const StandingOrder = Type.Object(
  {
    standing_order_id: Type.String(),
    frequency: Type.String({ description: 'OBIE frequency expression, for example EvryDay or IntrvlMnthDay:01:25' }),
    reference: Nullable(Type.String()),
    status: Nullable(StringEnum(['ACTIVE', 'INACTIVE'])),
    first_payment_date: Nullable(DateTime),
    next_payment_date: Nullable(DateTime),
    last_payment_date: Nullable(DateTime),
    final_payment_date: Nullable(DateTime),
    first_payment_amount: Nullable(Amount),
    next_payment_amount: Nullable(Amount),
    last_payment_amount: Nullable(Amount),
    final_payment_amount: Nullable(Amount),
    creditor: Nullable(Counterparty),
  },
  { $id: 'StandingOrder' },
);
export type StandingOrder = Type.Static<typeof StandingOrder>;

export const ScheduledPayment = Type.Object(
  {
    scheduled_payment_id: Type.String(),
    execution_date: DateTime,
    type: StringEnum(['ARRIVAL', 'EXECUTION']),
    amount: Amount,
    reference: Nullable(Type.String()),
    creditor: Nullable(Counterparty),
  },
  { $id: 'ScheduledPayment' },
);
export type ScheduledPayment = Type.Static<typeof ScheduledPayment>;

const Address = Type.Object({
  lines: Type.Array(Type.String()),
  building_number: Nullable(Type.String()),
  street_name: Nullable(Type.String()),
  town_name: Nullable(Type.String()),
  post_code: Nullable(Type.String()),
  country_sub_division: Nullable(Type.String()),
  country: Nullable(Type.String()),
});

const PartyFields = {
  party_id: Type.String(),
  full_name: Nullable(Type.String()),
  legal_name: Nullable(Type.String()),
  party_type: Nullable(StringEnum(['SOLE', 'JOINT', 'DELEGATE'])),
  national_identity_number: Nullable(Type.String()),
  email_address: Nullable(Type.String()),
  mobile_number: Nullable(Type.String()),
  phone_number: Nullable(Type.String()),
  address: Nullable(Address),
};

/** A party that has a role on one account (OBIE `/accounts/{id}/parties`). */
export const AccountIdentity = Type.Object(
  { ...PartyFields, account_role: Nullable(Type.String()) },
  { $id: 'AccountIdentity' },
);
export type AccountIdentity = Type.Static<typeof AccountIdentity>;

/**
 * The consenting user (OBIE `/party`). The name parts and nationalities are added fields: verified
 * claims of the UAE (`verifiedClaims`) and KSA (`ReadPartyPSUIdentity`) standards; null where the
 * bank does not give them (always, for OBIE banks).
 */
export const Identity = Type.Object(
  {
    ...PartyFields,
    birth_date: Nullable(DateOnly),
    gender: Nullable(Type.String()),
    given_name: Nullable(Type.String()),
    middle_name: Nullable(Type.String({ description: 'In the Gulf, usually the father\'s name' })),
    family_name: Nullable(Type.String()),
    nationalities: Nullable(Type.Array(Type.String({ description: 'ISO 3166-1 alpha-2, as the bank writes it' }))),
  },
  { $id: 'Identity' },
);
export type Identity = Type.Static<typeof Identity>;

/** Every schema the API publishes under components, in one list for the OpenAPI document. */
export const BANK_DATA_SCHEMAS = [
  Account,
  Transaction,
  Balance,
  Beneficiary,
  DirectDebit,
  StandingOrder,
  ScheduledPayment,
  AccountIdentity,
  Identity,
];

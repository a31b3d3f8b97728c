import type {
  Account,
  AccountIdentity,
  AccountType,
  BalanceType,
  Beneficiary,
  BillPaymentType,
  CreditDebit,
  DirectDebit,
  Identity,
  PaymentMode,
  ScheduledPayment,
  TransactionFlag,
  TransactionMutability,
} from '../../domain/bank-data.ts';
import type { FetchedTransaction } from '../../domain/snapshot.ts';
import type {
  UaeAccountRole,
  UaeAccountStatus,
  UaeAccountSubType,
  UaeBalanceType,
  UaeBeneficiaryType,
  UaeDirectDebitFrequency,
  UaeInstructionStatus,
  UaePartyType,
  UaeScheduleType,
  UaeConsentStatus,
  UaeCreditDebit,
  UaeEntryStatus,
  UaeTransactionMutability,
  UaePaymentMode,
  UaeTransactionFlag,
  UaeBillPaymentType,
} from '../../standards/uae-2.1/codes.ts';

/**
 * What each UAE v2.1 code means in the domain. Every map is exhaustive over the list in
 * `src/standards/uae-2.1/codes.ts` (itself checked against the vendored spec), so a value added
 * upstream fails to compile here rather than falling through.
 */

/** Finance (Islamic financing) and mortgages are lending: LOAN. */
export const ACCOUNT_TYPES = {
  CurrentAccount: 'CURRENT',
  Savings: 'SAVINGS',
  CreditCard: 'CREDIT_CARD',
  Mortgage: 'LOAN',
  Finance: 'LOAN',
} as const satisfies Record<UaeAccountSubType, AccountType>;

/**
 * The UAE has seven account statuses where Lean has OBIE's five: an account that can be used is
 * ENABLED; one frozen for a while (inactive, dormant, suspended, deceased holder, unclaimed) is
 * DISABLED; a closed one is DELETED.
 */
export const ACCOUNT_STATUSES = {
  Active: 'ENABLED',
  Inactive: 'DISABLED',
  Dormant: 'DISABLED',
  Unclaimed: 'DISABLED',
  Deceased: 'DISABLED',
  Suspended: 'DISABLED',
  Closed: 'DELETED',
} as const satisfies Record<UaeAccountStatus, Account['status']>;

export const BALANCE_TYPES = {
  ClosingAvailable: 'CLOSING_AVAILABLE',
  ClosingBooked: 'CLOSING_BOOKED',
  ClosingCleared: 'CLOSING_CLEARED',
  Expected: 'EXPECTED',
  ForwardAvailable: 'FORWARD_AVAILABLE',
  Information: 'INFORMATION',
  InterimAvailable: 'INTERIM_AVAILABLE',
  InterimBooked: 'INTERIM_BOOKED',
  InterimCleared: 'INTERIM_CLEARED',
  OpeningAvailable: 'OPENING_AVAILABLE',
  OpeningBooked: 'OPENING_BOOKED',
  OpeningCleared: 'OPENING_CLEARED',
  PreviouslyClosedBooked: 'PREVIOUSLY_CLOSED_BOOKED',
} as const satisfies Record<UaeBalanceType, BalanceType>;

export const CREDIT_DEBIT = { Credit: 'CREDIT', Debit: 'DEBIT' } as const satisfies Record<UaeCreditDebit, CreditDebit>;

/** Rejected entries never moved money: null drops them. */
export const ENTRY_STATUSES = { Booked: 'BOOKED', Pending: 'PENDING', Rejected: null } as const satisfies Record<UaeEntryStatus, FetchedTransaction['status'] | null>;

export const TRANSACTION_MUTABILITIES = { Mutable: 'MUTABLE', Immutable: 'IMMUTABLE' } as const satisfies Record<UaeTransactionMutability, TransactionMutability>;

export const PAYMENT_MODES = { Online: 'ONLINE', Offline: 'OFFLINE', Batch: 'BATCH' } as const satisfies Record<UaePaymentMode, PaymentMode>;

/** `Finance` (Islamic financing) is lending, LOAN, as the `Finance` account sub-type is. */
export const TRANSACTION_FLAGS = {
  Cashback: 'CASHBACK',
  Payroll: 'PAYROLL',
  DirectDebit: 'DIRECT_DEBIT',
  StandingOrder: 'STANDING_ORDER',
  Finance: 'LOAN',
  Dividend: 'DIVIDEND',
  OpenFinance: 'OPEN_FINANCE',
} as const satisfies Record<UaeTransactionFlag, TransactionFlag>;

export const BILL_PAYMENT_TYPES = {
  'Post-Paid': 'POST_PAID',
  AdvancePaymentForRoaming: 'ADVANCE_PAYMENT_FOR_ROAMING',
  Recharge: 'RECHARGE',
  Renewal: 'RENEWAL',
  RoamingDeposit: 'ROAMING_DEPOSIT',
  'One-Off': 'ONE_OFF',
  RecurringPayment: 'RECURRING_PAYMENT',
} as const satisfies Record<UaeBillPaymentType, BillPaymentType>;

/** `Activated`: added with strong customer authentication, which is what OBIE calls trusted. */
export const BENEFICIARY_TYPES = { Activated: 'TRUSTED', NotActivated: 'ORDINARY' } as const satisfies Record<UaeBeneficiaryType, NonNullable<Beneficiary['type']>>;

/** Direct debits and standing orders share the list. */
export const INSTRUCTION_STATUSES = { Active: 'ACTIVE', Inactive: 'INACTIVE' } as const satisfies Record<UaeInstructionStatus, NonNullable<DirectDebit['status']>>;

/** The OBIE connector's frequency words; `NotKnown` says no more than no frequency (null). */
export const DIRECT_DEBIT_FREQUENCIES = {
  Annual: 'ANNUAL',
  Daily: 'DAILY',
  Fortnightly: 'FORTNIGHTLY',
  HalfYearly: 'HALF_YEARLY',
  Monthly: 'MONTHLY',
  NotKnown: null,
  Quarterly: 'QUARTERLY',
  Weekly: 'WEEKLY',
} as const satisfies Record<UaeDirectDebitFrequency, string | null>;

export const SCHEDULE_TYPES = { Arrival: 'ARRIVAL', Execution: 'EXECUTION' } as const satisfies Record<UaeScheduleType, ScheduledPayment['type']>;

export const PARTY_TYPES = { Delegate: 'DELEGATE', Joint: 'JOINT', Sole: 'SOLE' } as const satisfies Record<UaePartyType, NonNullable<Identity['party_type']>>;

/** The same words the OBIE connector gives its `UK.OBIE.*` roles. */
export const ACCOUNT_ROLES = {
  Administrator: 'ADMINISTRATOR',
  Beneficiary: 'BENEFICIARY',
  CustodianForMinor: 'CUSTODIAN_FOR_MINOR',
  Granter: 'GRANTER',
  LegalGuardian: 'LEGAL_GUARDIAN',
  OtherParty: 'OTHER_PARTY',
  PowerOfAttorney: 'POWER_OF_ATTORNEY',
  Principal: 'PRINCIPAL',
  Protector: 'PROTECTOR',
  RegisteredShareholderName: 'REGISTERED_SHAREHOLDER_NAME',
  SecondaryOwner: 'SECONDARY_OWNER',
  SeniorManagingOfficial: 'SENIOR_MANAGING_OFFICIAL',
  Settlor: 'SETTLOR',
  SuccessorOnDeath: 'SUCCESSOR_ON_DEATH',
} as const satisfies Record<UaeAccountRole, NonNullable<AccountIdentity['account_role']>>;

/** The entity state a consent in each UAE status puts the connection in. */
export type ConsentState = 'AWAITING' | 'ACTIVE' | 'REJECTED' | 'REVOKED' | 'EXPIRED' | 'RECONNECT_REQUIRED';

/**
 * `Consumed` is a single-use (payment) consent that was used: nothing more can be read with it, the
 * user must consent again. `Suspended` is the bank's hold (fraud, dormancy): the user must act.
 */
export const CONSENT_STATES = {
  AwaitingAuthorization: 'AWAITING',
  Authorized: 'ACTIVE',
  Rejected: 'REJECTED',
  Revoked: 'REVOKED',
  Expired: 'EXPIRED',
  Consumed: 'RECONNECT_REQUIRED',
  Suspended: 'RECONNECT_REQUIRED',
} as const satisfies Record<UaeConsentStatus, ConsentState>;

/** Codes are read with the shared rules: letter case ignored (banks are not consistent), namespaces interchangeable (`../codes.ts`). */
export { decodeCode as decode } from '../codes.ts';

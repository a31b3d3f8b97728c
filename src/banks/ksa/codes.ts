import type {
  AccountIdentity,
  AccountType,
  Account,
  BalanceType,
  Beneficiary,
  BillPaymentType,
  CreditDebit,
  DirectDebit,
  PaymentMode,
  ScheduledPayment,
  TransactionFlag,
  TransactionMutability,
} from '../../domain/bank-data.ts';
import type { FetchedTransaction } from '../../domain/snapshot.ts';
import type {
  KsaAccountRole,
  KsaAccountStatus,
  KsaBeneficiaryType,
  KsaInstructionStatus,
  KsaScheduleType,
  KsaAccountSubType,
  KsaBalanceType,
  KsaCreditDebit,
  KsaCreditLineType,
  KsaEntryStatus,
  KsaPartyType,
  KsaTransactionMutability,
  KsaPaymentMode,
  KsaFlag,
  KsaBillPaymentType,
} from '../../standards/ksa-2022.11/codes.ts';

/**
 * What each KSA code means in the domain. Every map is exhaustive over the list in
 * `src/standards/ksa-2022.11/codes.ts` (`satisfies Record<…>`), so a code added upstream fails to
 * compile here. Maps are keyed without the `KSAOB.` namespace: `decode` reads a code with or
 * without it and in any letter case, since banks send both (`Status: "Active"` beside `KSAOB.Booked`).
 */

type Bare<T extends string> = T extends `KSAOB.${infer B}` ? B : T;

export const ACCOUNT_TYPES = {
  CurrentAccount: 'CURRENT',
  Savings: 'SAVINGS',
  CreditCard: 'CREDIT_CARD',
  ChargeCard: 'CREDIT_CARD',
  PrePaidCard: 'CURRENT',
  EMoney: 'CURRENT',
  Other: 'CURRENT',
} as const satisfies Record<KsaAccountSubType, AccountType>;

/** KSA's account statuses are richer than Lean's: a dormant or suspended account is not enabled for use. */
export const ACCOUNT_STATUSES = {
  Active: 'ENABLED',
  NotActive: 'DISABLED',
  Dormant: 'DISABLED',
  Unclaimed: 'DISABLED',
  Deceased: 'DISABLED',
  Suspended: 'DISABLED',
  Closed: 'DELETED',
} as const satisfies Record<KsaAccountStatus, Account['status']>;

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
} as const satisfies Record<Bare<KsaBalanceType>, BalanceType>;

export const CREDIT_DEBIT = { Credit: 'CREDIT', Debit: 'DEBIT' } as const satisfies Record<Bare<KsaCreditDebit>, CreditDebit>;

/** `null`: a rejected entry never moved money. */
export const ENTRY_STATUSES = { Booked: 'BOOKED', Pending: 'PENDING', Rejected: null } as const satisfies Record<Bare<KsaEntryStatus>, FetchedTransaction['status'] | null>;

export const TRANSACTION_MUTABILITIES = { Mutable: 'MUTABLE', Immutable: 'IMMUTABLE' } as const satisfies Record<Bare<KsaTransactionMutability>, TransactionMutability>;

export const PAYMENT_MODES = { Online: 'ONLINE', Offline: 'OFFLINE', Batch: 'BATCH' } as const satisfies Record<Bare<KsaPaymentMode>, PaymentMode>;

export const TRANSACTION_FLAGS = {
  Cashback: 'CASHBACK',
  Payroll: 'PAYROLL',
  DirectDebit: 'DIRECT_DEBIT',
  StandingOrder: 'STANDING_ORDER',
  Loan: 'LOAN',
  Dividend: 'DIVIDEND',
} as const satisfies Record<Bare<KsaFlag>, TransactionFlag>;

export const BILL_PAYMENT_TYPES = {
  'Post-Paid': 'POST_PAID',
  AdvancePaymentForRoaming: 'ADVANCE_PAYMENT_FOR_ROAMING',
  Recharge: 'RECHARGE',
  Renewal: 'RENEWAL',
  RoamingDeposit: 'ROAMING_DEPOSIT',
  'One-Off': 'ONE_OFF',
  RecurringPayment: 'RECURRING_PAYMENT',
} as const satisfies Record<Bare<KsaBillPaymentType>, BillPaymentType>;

export const CREDIT_LINE_TYPES = {
  Available: 'AVAILABLE',
  Credit: 'CREDIT',
  Emergency: 'EMERGENCY',
  'Pre-Agreed': 'PRE_AGREED',
  Temporary: 'TEMPORARY',
} as const satisfies Record<Bare<KsaCreditLineType>, string>;

export const PARTY_TYPES = { Delegate: 'DELEGATE', Joint: 'JOINT', Sole: 'SOLE' } as const satisfies Record<Bare<KsaPartyType>, 'DELEGATE' | 'JOINT' | 'SOLE'>;

/** `Activated` (added with SCA, payments need no further check) is OBIE's trusted beneficiary. */
export const BENEFICIARY_TYPES = { Activated: 'TRUSTED', NotActivated: 'ORDINARY' } as const satisfies Record<Bare<KsaBeneficiaryType>, NonNullable<Beneficiary['type']>>;

/** Direct debits and standing orders share the list. */
export const INSTRUCTION_STATUSES = { Active: 'ACTIVE', Inactive: 'INACTIVE' } as const satisfies Record<Bare<KsaInstructionStatus>, NonNullable<DirectDebit['status']>>;

export const SCHEDULE_TYPES = { Arrival: 'ARRIVAL', Execution: 'EXECUTION' } as const satisfies Record<Bare<KsaScheduleType>, ScheduledPayment['type']>;

/** The same words the OBIE and UAE connectors give their roles. */
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
} as const satisfies Record<Bare<KsaAccountRole>, NonNullable<AccountIdentity['account_role']>>;

/** Codes are read with the shared rules (`../codes.ts`): with or without the `KSAOB.` namespace, in any letter case. */
export { decodeCode as decode } from '../codes.ts';

/** Whether a KSA `IdentificationType` (`KSAOB.IBAN`, or unprefixed) is `scheme`. */
export function isScheme(type: string | undefined, scheme: 'IBAN' | 'AccountNumber' | 'BICFI'): boolean {
  if (type === undefined) return false;
  const t = type.trim().toLowerCase();
  const s = scheme.toLowerCase();
  return t === s || t === `ksaob.${s}`;
}

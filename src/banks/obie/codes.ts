import type { Account, AccountType, BalanceType, Beneficiary, CreditDebit, DirectDebit, Identity, ScheduledPayment } from '../../domain/bank-data.ts';
import type { FetchedTransaction } from '../../domain/snapshot.ts';

/**
 * OBIE v3.1.11 code lists and what each code means in the domain. Every map is exhaustive over
 * the OBIE list (`satisfies Record<…>` fails to compile when a code is missing); a code outside
 * the list, which banks may send, is the mapping's business.
 */

type ObAccountSubType = 'ChargeCard' | 'CreditCard' | 'CurrentAccount' | 'EMoney' | 'Loan' | 'Mortgage' | 'PrePaidCard' | 'Savings' | 'Wallet';
type ObAccountStatus = 'Deleted' | 'Disabled' | 'Enabled' | 'Pending' | 'ProForma';
type ObBalanceType =
  | 'ClosingAvailable'
  | 'ClosingBooked'
  | 'ClosingCleared'
  | 'Expected'
  | 'ForwardAvailable'
  | 'Information'
  | 'InterimAvailable'
  | 'InterimBooked'
  | 'InterimCleared'
  | 'OpeningAvailable'
  | 'OpeningBooked'
  | 'OpeningCleared'
  | 'PreviouslyClosedBooked';
type ObCreditDebit = 'Credit' | 'Debit';
type ObEntryStatus = 'Booked' | 'Pending' | 'Rejected';
type ObCreditLineType = 'Available' | 'Credit' | 'Emergency' | 'Pre-Agreed' | 'Temporary';
type ObPartyType = 'Delegate' | 'Joint' | 'Sole';
type ObAccountRole =
  | 'UK.OBIE.Administrator'
  | 'UK.OBIE.Beneficiary'
  | 'UK.OBIE.CustodianForMinor'
  | 'UK.OBIE.Granter'
  | 'UK.OBIE.LegalGuardian'
  | 'UK.OBIE.OtherParty'
  | 'UK.OBIE.PowerOfAttorney'
  | 'UK.OBIE.Principal'
  | 'UK.OBIE.Protector'
  | 'UK.OBIE.RegisteredShareholderName'
  | 'UK.OBIE.SecondaryOwner'
  | 'UK.OBIE.SeniorManagingOfficial'
  | 'UK.OBIE.Settlor'
  | 'UK.OBIE.SuccessorOnDeath';
type ObBeneficiaryType = 'Trusted' | 'Ordinary';
type ObInstructionStatus = 'Active' | 'Inactive';
type ObDirectDebitFrequency =
  | 'UK.OBIE.Annual'
  | 'UK.OBIE.Daily'
  | 'UK.OBIE.Fortnightly'
  | 'UK.OBIE.HalfYearly'
  | 'UK.OBIE.Monthly'
  | 'UK.OBIE.NotKnown'
  | 'UK.OBIE.Quarterly'
  | 'UK.OBIE.Weekly';
type ObScheduleType = 'Arrival' | 'Execution';

/** Cards of any kind that lend are credit cards; stored-value products behave as current accounts. */
export const ACCOUNT_TYPES = {
  ChargeCard: 'CREDIT_CARD',
  CreditCard: 'CREDIT_CARD',
  CurrentAccount: 'CURRENT',
  EMoney: 'CURRENT',
  Loan: 'LOAN',
  Mortgage: 'LOAN',
  PrePaidCard: 'CURRENT',
  Savings: 'SAVINGS',
  Wallet: 'CURRENT',
} as const satisfies Record<ObAccountSubType, AccountType>;

export const ACCOUNT_STATUSES = {
  Deleted: 'DELETED',
  Disabled: 'DISABLED',
  Enabled: 'ENABLED',
  Pending: 'PENDING',
  ProForma: 'PRO_FORMA',
} as const satisfies Record<ObAccountStatus, Account['status']>;

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
} as const satisfies Record<ObBalanceType, BalanceType>;

export const CREDIT_DEBIT = { Credit: 'CREDIT', Debit: 'DEBIT' } as const satisfies Record<ObCreditDebit, CreditDebit>;

/** `null`: a rejected entry never moved money, so it is no transaction of the account. */
export const ENTRY_STATUSES = {
  Booked: 'BOOKED',
  Pending: 'PENDING',
  Rejected: null,
} as const satisfies Record<ObEntryStatus, FetchedTransaction['status'] | null>;

export const CREDIT_LINE_TYPES = {
  Available: 'AVAILABLE',
  Credit: 'CREDIT',
  Emergency: 'EMERGENCY',
  'Pre-Agreed': 'PRE_AGREED',
  Temporary: 'TEMPORARY',
} as const satisfies Record<ObCreditLineType, string>;

export const PARTY_TYPES = {
  Delegate: 'DELEGATE',
  Joint: 'JOINT',
  Sole: 'SOLE',
} as const satisfies Record<ObPartyType, NonNullable<Identity['party_type']>>;

export const ACCOUNT_ROLES = {
  'UK.OBIE.Administrator': 'ADMINISTRATOR',
  'UK.OBIE.Beneficiary': 'BENEFICIARY',
  'UK.OBIE.CustodianForMinor': 'CUSTODIAN_FOR_MINOR',
  'UK.OBIE.Granter': 'GRANTER',
  'UK.OBIE.LegalGuardian': 'LEGAL_GUARDIAN',
  'UK.OBIE.OtherParty': 'OTHER_PARTY',
  'UK.OBIE.PowerOfAttorney': 'POWER_OF_ATTORNEY',
  'UK.OBIE.Principal': 'PRINCIPAL',
  'UK.OBIE.Protector': 'PROTECTOR',
  'UK.OBIE.RegisteredShareholderName': 'REGISTERED_SHAREHOLDER_NAME',
  'UK.OBIE.SecondaryOwner': 'SECONDARY_OWNER',
  'UK.OBIE.SeniorManagingOfficial': 'SENIOR_MANAGING_OFFICIAL',
  'UK.OBIE.Settlor': 'SETTLOR',
  'UK.OBIE.SuccessorOnDeath': 'SUCCESSOR_ON_DEATH',
} as const satisfies Record<ObAccountRole, string>;

export const BENEFICIARY_TYPES = {
  Trusted: 'TRUSTED',
  Ordinary: 'ORDINARY',
} as const satisfies Record<ObBeneficiaryType, NonNullable<Beneficiary['type']>>;

/** Direct debits and standing orders share the code list. */
export const INSTRUCTION_STATUSES = {
  Active: 'ACTIVE',
  Inactive: 'INACTIVE',
} as const satisfies Record<ObInstructionStatus, NonNullable<DirectDebit['status']>>;

/** `null`: the bank does not know, which says no more than no frequency. */
export const DIRECT_DEBIT_FREQUENCIES = {
  'UK.OBIE.Annual': 'ANNUAL',
  'UK.OBIE.Daily': 'DAILY',
  'UK.OBIE.Fortnightly': 'FORTNIGHTLY',
  'UK.OBIE.HalfYearly': 'HALF_YEARLY',
  'UK.OBIE.Monthly': 'MONTHLY',
  'UK.OBIE.NotKnown': null,
  'UK.OBIE.Quarterly': 'QUARTERLY',
  'UK.OBIE.Weekly': 'WEEKLY',
} as const satisfies Record<ObDirectDebitFrequency, string | null>;

export const SCHEDULE_TYPES = {
  Arrival: 'ARRIVAL',
  Execution: 'EXECUTION',
} as const satisfies Record<ObScheduleType, ScheduledPayment['type']>;

/** Codes are read with the shared rules: letter case ignored, namespaces interchangeable (`../codes.ts`). */
export { decodeCode as decode } from '../codes.ts';

/** Whether an OBIE scheme name (`UK.OBIE.IBAN`, or another namespace's) is `scheme`. */
export function isScheme(schemeName: string | undefined, scheme: 'IBAN' | 'BBAN' | 'BICFI'): boolean {
  return schemeName !== undefined && (schemeName === scheme || schemeName.endsWith(`.${scheme}`));
}

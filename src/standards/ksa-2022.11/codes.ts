import type { components } from './generated/account-information.d.ts';

/**
 * The KSA Open Banking 2022.11.01-final-errata2 code lists, written once for both sides: the
 * connector (`src/banks/ksa/`) and the sandbox bank (`src/sandbox-bank/ksa/`). Each list is
 * checked against the type generated from `spec/ksa-2022.11/account-information.yaml`
 * (`npm run gen:ksa`): a code missing here, or one the document does not have, fails to compile.
 */

type Schemas = components['schemas'];

/** `values`, provided they are exactly the members of `T` (none missing, none extra). */
const exactly =
  <T extends string>() =>
  <const A extends readonly T[]>(values: A & ([Exclude<T, A[number]>] extends [never] ? unknown : { missing: Exclude<T, A[number]> })): A =>
    values;

export type KsaSchemas = Schemas;

export const CONSENT_PERMISSIONS = exactly<Schemas['ConsentPermission']>()([
  'ReadAccountsBasic',
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadParty',
  'ReadPartyPSU',
  'ReadPartyPSUIdentity',
  'ReadBeneficiariesBasic',
  'ReadBeneficiariesDetail',
  'ReadTransactionsBasic',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
  'ReadScheduledPaymentsBasic',
  'ReadScheduledPaymentsDetail',
  'ReadDirectDebits',
  'ReadStandingOrdersBasic',
  'ReadStandingOrdersDetail',
]);
export type KsaPermission = (typeof CONSENT_PERMISSIONS)[number];

export const CONSENT_STATUSES = exactly<Schemas['ConsentStatus']>()(['Authorized', 'AwaitingAuthorization', 'Rejected', 'Revoked', 'Expired']);
export type KsaConsentStatus = (typeof CONSENT_STATUSES)[number];

export const ACCOUNT_TYPES = exactly<Schemas['AccountType']>()(['KSAOB.Retail', 'KSAOB.Corporate']);
export type KsaAccountType = (typeof ACCOUNT_TYPES)[number];

/** Namespaced in the specification (`x-namespaced-enum`), sent without the namespace. */
export const ACCOUNT_SUB_TYPES = exactly<Schemas['AccountSubType']>()(['CurrentAccount', 'Savings', 'CreditCard', 'PrePaidCard', 'EMoney', 'ChargeCard', 'Other']);
export type KsaAccountSubType = (typeof ACCOUNT_SUB_TYPES)[number];

/** Unprefixed in the specification, unlike the other lists. */
export const ACCOUNT_STATUSES = exactly<Schemas['AccountStatus']>()(['Active', 'NotActive', 'Dormant', 'Unclaimed', 'Deceased', 'Suspended', 'Closed']);
export type KsaAccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const ACCOUNT_IDENTIFICATION_TYPES = exactly<Schemas['AccountIdentificationType']>()([
  'KSAOB.IBAN',
  'KSAOB.MaskedPAN',
  'KSAOB.AccountNumber',
  'KSAOB.CommercialRegistrationNumber',
  'KSAOB.Email',
  'KSAOB.MobileNumber',
  'KSAOB.NationalID',
]);
export type KsaAccountIdentificationType = (typeof ACCOUNT_IDENTIFICATION_TYPES)[number];

export const CREDIT_DEBIT_CODES = exactly<Schemas['CreditDebitCode']>()(['KSAOB.Credit', 'KSAOB.Debit']);
export type KsaCreditDebit = (typeof CREDIT_DEBIT_CODES)[number];

export const ENTRY_STATUSES = exactly<Schemas['EntryStatus']>()(['KSAOB.Booked', 'KSAOB.Pending', 'KSAOB.Rejected']);
export type KsaEntryStatus = (typeof ENTRY_STATUSES)[number];

export const TRANSACTION_MUTABILITIES = exactly<Schemas['TransactionMutability']>()(['KSAOB.Mutable', 'KSAOB.Immutable']);
export type KsaTransactionMutability = (typeof TRANSACTION_MUTABILITIES)[number];

export const BALANCE_TYPES = exactly<Schemas['BalanceType']>()([
  'KSAOB.ClosingAvailable',
  'KSAOB.ClosingBooked',
  'KSAOB.ClosingCleared',
  'KSAOB.Expected',
  'KSAOB.ForwardAvailable',
  'KSAOB.Information',
  'KSAOB.InterimAvailable',
  'KSAOB.InterimBooked',
  'KSAOB.InterimCleared',
  'KSAOB.OpeningAvailable',
  'KSAOB.OpeningBooked',
  'KSAOB.OpeningCleared',
  'KSAOB.PreviouslyClosedBooked',
]);
export type KsaBalanceType = (typeof BALANCE_TYPES)[number];

export const CREDIT_LINE_TYPES = exactly<Schemas['CreditLineType']>()(['KSAOB.Available', 'KSAOB.Credit', 'KSAOB.Emergency', 'KSAOB.Pre-Agreed', 'KSAOB.Temporary']);
export type KsaCreditLineType = (typeof CREDIT_LINE_TYPES)[number];

export const TRANSACTION_TYPES = exactly<Schemas['TransactionType']>()([
  'KSAOB.POS',
  'KSAOB.ECommerce',
  'KSAOB.ATM',
  'KSAOB.BillPayments',
  'KSAOB.LocalBankTransfer',
  'KSAOB.SameBankTransfer',
  'KSAOB.InternationalTransfer',
  'KSAOB.Teller',
  'KSAOB.Cheque',
  'KSAOB.Other',
]);
export type KsaTransactionType = (typeof TRANSACTION_TYPES)[number];

export const SUB_TRANSACTION_TYPES = exactly<Schemas['SubTransactionType']>()([
  'KSAOB.Purchase',
  'KSAOB.Reversal',
  'KSAOB.Refund',
  'KSAOB.Withdrawal',
  'KSAOB.WithdrawalReversal',
  'KSAOB.Deposit',
  'KSAOB.DepositReversal',
  'KSAOB.MoneyTransfer',
  'KSAOB.NotApplicable',
]);
export type KsaSubTransactionType = (typeof SUB_TRANSACTION_TYPES)[number];

export const PAYMENT_MODES = exactly<Schemas['PaymentMode']>()(['KSAOB.Online', 'KSAOB.Offline', 'KSAOB.Batch']);
export type KsaPaymentMode = (typeof PAYMENT_MODES)[number];

export const FLAGS = exactly<Schemas['Flag']>()(['KSAOB.Cashback', 'KSAOB.Payroll', 'KSAOB.DirectDebit', 'KSAOB.StandingOrder', 'KSAOB.Loan', 'KSAOB.Dividend']);
export type KsaFlag = (typeof FLAGS)[number];

export const BILL_PAYMENT_TYPES = exactly<Schemas['BillPaymentType']>()([
  'KSAOB.Post-Paid',
  'KSAOB.AdvancePaymentForRoaming',
  'KSAOB.Recharge',
  'KSAOB.Renewal',
  'KSAOB.RoamingDeposit',
  'KSAOB.One-Off',
  'KSAOB.RecurringPayment',
]);
export type KsaBillPaymentType = (typeof BILL_PAYMENT_TYPES)[number];

export const BENEFICIARY_TYPES = exactly<Schemas['BeneficiaryType']>()(['KSAOB.Activated', 'KSAOB.NotActivated']);
export type KsaBeneficiaryType = (typeof BENEFICIARY_TYPES)[number];

export const SCHEDULE_TYPES = exactly<Schemas['ScheduleType']>()(['KSAOB.Arrival', 'KSAOB.Execution']);
export type KsaScheduleType = (typeof SCHEDULE_TYPES)[number];

export const INSTRUCTION_STATUSES = exactly<Schemas['InstructionStatus']>()(['KSAOB.Active', 'KSAOB.Inactive']);
export type KsaInstructionStatus = (typeof INSTRUCTION_STATUSES)[number];

export const PARTY_TYPES = exactly<Schemas['PartyType']>()(['KSAOB.Delegate', 'KSAOB.Joint', 'KSAOB.Sole']);
export type KsaPartyType = (typeof PARTY_TYPES)[number];

export const ACCOUNT_ROLES = exactly<Schemas['AccountRole']>()([
  'KSAOB.Administrator',
  'KSAOB.Beneficiary',
  'KSAOB.CustodianForMinor',
  'KSAOB.Granter',
  'KSAOB.LegalGuardian',
  'KSAOB.OtherParty',
  'KSAOB.PowerOfAttorney',
  'KSAOB.Principal',
  'KSAOB.Protector',
  'KSAOB.RegisteredShareholderName',
  'KSAOB.SecondaryOwner',
  'KSAOB.SeniorManagingOfficial',
  'KSAOB.Settlor',
  'KSAOB.SuccessorOnDeath',
]);
export type KsaAccountRole = (typeof ACCOUNT_ROLES)[number];

/** Where the API lives under a bank's base URL. */
export const KSA_API_PATH = '/open-banking/account-information/2022.11.01-final-errata2';

/** The namespace of KSA codes. */
export const KSA_NAMESPACE = 'KSAOB.';

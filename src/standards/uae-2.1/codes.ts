import type { components as Ais } from './generated/account-information.d.ts';
import type { components as Auth } from './generated/authorization-endpoints.d.ts';

/**
 * UAE Open Finance v2.1-errata2 code lists, written once for the UAE connector (`src/banks/uae/`)
 * and the UAE sandbox bank (`src/sandbox-bank/uae/`). Each list is a runtime array (the mock draws
 * from it, the tests walk it) and is checked at compile time to be exactly the generated union of
 * the vendored spec: a value added or removed upstream fails `npm run typecheck` here.
 */

type AisSchema = Ais['schemas'];
type AuthSchema = Auth['schemas'];

/** True only when A and B are the same union, in both directions. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export const API_PREFIX = '/open-finance/account-information/v2.1';
export const RAR_TYPE = 'urn:openfinanceuae:account-access-consent:v2.1' as const;
type RarType = AuthSchema['AEBankDataSharingRichAuthorizationRequestsV21.AEBankDataSharingAuthorizationDetailsProperties']['type'];
true satisfies Same<typeof RAR_TYPE, RarType>;

export const CONSENT_STATUSES = ['AwaitingAuthorization', 'Authorized', 'Rejected', 'Revoked', 'Expired', 'Consumed', 'Suspended'] as const;
true satisfies Same<(typeof CONSENT_STATUSES)[number], AuthSchema['AEConsentStatus.AEConsentStatusCodes']>;
export type UaeConsentStatus = (typeof CONSENT_STATUSES)[number];

export const PERMISSIONS = [
  'ReadAccountsBasic', 'ReadAccountsDetail', 'ReadBalances', 'ReadBeneficiariesBasic', 'ReadBeneficiariesDetail',
  'ReadFXTransactionsBasic', 'ReadFXTransactionsDetail', 'ReadFXRemittanceCharges', 'ReadTransactionsBasic',
  'ReadTransactionsDetail', 'ReadProduct', 'ReadScheduledPaymentsBasic', 'ReadScheduledPaymentsDetail', 'ReadDirectDebits',
  'ReadStandingOrdersBasic', 'ReadStandingOrdersDetail', 'ReadStatements', 'ReadPartyUser', 'ReadPartyUserIdentity',
  'ReadParty', 'ReadProductFinanceRates',
] as const;
true satisfies Same<(typeof PERMISSIONS)[number], AuthSchema['AEBankDataSharingRichAuthorizationRequests.AEBankDataSharingConsentPermissionCodes']>;
export type UaePermission = (typeof PERMISSIONS)[number];

type Billing = AuthSchema['AEBankDataSharingRichAuthorizationRequestsV21.AEBankDataSharingOpenFinanceBilling'];
export const BILLING_USER_TYPES = ['Retail', 'SME', 'Corporate'] as const;
true satisfies Same<(typeof BILLING_USER_TYPES)[number], Billing['UserType']>;
export const BILLING_PURPOSES = ['AccountAggregation', 'RiskAssessment', 'TaxFiling', 'Onboarding', 'Verification', 'QuoteComparison', 'BudgetingAnalysis', 'FinancialAdvice', 'AuditReconciliation'] as const;
true satisfies Same<(typeof BILLING_PURPOSES)[number], Billing['Purpose']>;

export const ACCOUNT_TYPES = ['Retail', 'SME', 'Corporate'] as const;
true satisfies Same<(typeof ACCOUNT_TYPES)[number], AisSchema['AEBankDataSharing.AEExternalAccountTypeCode']>;
export type UaeAccountType = (typeof ACCOUNT_TYPES)[number];

export const ACCOUNT_SUB_TYPES = ['CurrentAccount', 'Savings', 'CreditCard', 'Mortgage', 'Finance'] as const;
true satisfies Same<(typeof ACCOUNT_SUB_TYPES)[number], AisSchema['AEBankDataSharing.AEExternalAccountSubTypeCode']>;
export type UaeAccountSubType = (typeof ACCOUNT_SUB_TYPES)[number];

export const ACCOUNT_STATUSES = ['Active', 'Inactive', 'Dormant', 'Unclaimed', 'Deceased', 'Suspended', 'Closed'] as const;
true satisfies Same<(typeof ACCOUNT_STATUSES)[number], AisSchema['AEAccountStatusCode']>;
export type UaeAccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const ACCOUNT_SCHEMES = ['IBAN', 'AccountNumber', 'MaskedPAN', 'MortgageReference', 'FinanceReference'] as const;
true satisfies Same<(typeof ACCOUNT_SCHEMES)[number], AisSchema['AEExternalAccountIdentificationCode']>;
export type UaeAccountScheme = (typeof ACCOUNT_SCHEMES)[number];

export const BALANCE_TYPES = [
  'ClosingAvailable', 'ClosingBooked', 'ClosingCleared', 'Expected', 'ForwardAvailable', 'Information', 'InterimAvailable',
  'InterimBooked', 'InterimCleared', 'OpeningAvailable', 'OpeningBooked', 'OpeningCleared', 'PreviouslyClosedBooked',
] as const;
true satisfies Same<(typeof BALANCE_TYPES)[number], AisSchema['AEBalanceTypeCode']>;
export type UaeBalanceType = (typeof BALANCE_TYPES)[number];

export const CREDIT_DEBIT = ['Credit', 'Debit'] as const;
true satisfies Same<(typeof CREDIT_DEBIT)[number], AisSchema['AECreditDebitCode_1'] | AisSchema['AECreditDebitCode_2']>;
export type UaeCreditDebit = (typeof CREDIT_DEBIT)[number];

export const ENTRY_STATUSES = ['Booked', 'Pending', 'Rejected'] as const;
true satisfies Same<(typeof ENTRY_STATUSES)[number], AisSchema['AEEntryStatusCode']>;
export type UaeEntryStatus = (typeof ENTRY_STATUSES)[number];

export const TRANSACTION_MUTABILITY = ['Mutable', 'Immutable'] as const;
true satisfies Same<(typeof TRANSACTION_MUTABILITY)[number], AisSchema['AETransactionMutabilityCode']>;
export type UaeTransactionMutability = (typeof TRANSACTION_MUTABILITY)[number];

export const PAYMENT_MODES = ['Online', 'Offline', 'Batch'] as const;
true satisfies Same<(typeof PAYMENT_MODES)[number], AisSchema['PaymentMode']>;
export type UaePaymentMode = (typeof PAYMENT_MODES)[number];

export const TRANSACTION_FLAGS = ['Cashback', 'Payroll', 'DirectDebit', 'StandingOrder', 'Finance', 'Dividend', 'OpenFinance'] as const;
true satisfies Same<(typeof TRANSACTION_FLAGS)[number], AisSchema['Flags']>;
export type UaeTransactionFlag = (typeof TRANSACTION_FLAGS)[number];

export const BILL_PAYMENT_TYPES = ['Post-Paid', 'AdvancePaymentForRoaming', 'Recharge', 'Renewal', 'RoamingDeposit', 'One-Off', 'RecurringPayment'] as const;
true satisfies Same<(typeof BILL_PAYMENT_TYPES)[number], NonNullable<AisSchema['BillDetails']['BillPaymentType']>>;
export type UaeBillPaymentType = (typeof BILL_PAYMENT_TYPES)[number];

export const TRANSACTION_TYPES = ['POS', 'ECommerce', 'ATM', 'BillPayments', 'LocalBankTransfer', 'SameBankTransfer', 'InternationalTransfer', 'Teller', 'Cheque', 'Other'] as const;
true satisfies Same<(typeof TRANSACTION_TYPES)[number], AisSchema['TransactionType']>;
export type UaeTransactionType = (typeof TRANSACTION_TYPES)[number];

export const SUB_TRANSACTION_TYPES = [
  'Purchase', 'Reversal', 'Refund', 'Withdrawal', 'WithdrawalReversal', 'Deposit', 'DepositReversal', 'MoneyTransfer',
  'Repayments', 'Interest', 'Fee', 'Charges', 'Profit', 'Disbursement', 'Adjustment', 'Tax', 'Rewards', 'NotApplicable',
  'LeaseRepayment',
] as const;
true satisfies Same<(typeof SUB_TRANSACTION_TYPES)[number], AisSchema['AESubTransactionType']>;
export type UaeSubTransactionType = (typeof SUB_TRANSACTION_TYPES)[number];

export const INSTRUCTION_STATUSES = ['Active', 'Inactive'] as const;
true satisfies Same<(typeof INSTRUCTION_STATUSES)[number], AisSchema['AEExternalStandingOrderStatusCode'] | AisSchema['AEExternalDirectDebitStatusCode']>;
export type UaeInstructionStatus = (typeof INSTRUCTION_STATUSES)[number];

export const DIRECT_DEBIT_FREQUENCIES = ['Annual', 'Daily', 'Fortnightly', 'HalfYearly', 'Monthly', 'NotKnown', 'Quarterly', 'Weekly'] as const;
true satisfies Same<(typeof DIRECT_DEBIT_FREQUENCIES)[number], AisSchema['FrequencyDD']>;
export type UaeDirectDebitFrequency = (typeof DIRECT_DEBIT_FREQUENCIES)[number];

export const SCHEDULE_TYPES = ['Arrival', 'Execution'] as const;
true satisfies Same<(typeof SCHEDULE_TYPES)[number], AisSchema['AEExternalScheduleTypeCode']>;
export type UaeScheduleType = (typeof SCHEDULE_TYPES)[number];

export const BENEFICIARY_TYPES = ['Activated', 'NotActivated'] as const;
true satisfies Same<(typeof BENEFICIARY_TYPES)[number], AisSchema['AEBeneficiaryTypeCode']>;
export type UaeBeneficiaryType = (typeof BENEFICIARY_TYPES)[number];

export const PARTY_TYPES = ['Delegate', 'Joint', 'Sole'] as const;
true satisfies Same<(typeof PARTY_TYPES)[number], AisSchema['AEExternalPartyTypeCode']>;
export type UaePartyType = (typeof PARTY_TYPES)[number];

export const ACCOUNT_ROLES = [
  'Administrator', 'Beneficiary', 'CustodianForMinor', 'Granter', 'LegalGuardian', 'OtherParty', 'PowerOfAttorney',
  'Principal', 'Protector', 'RegisteredShareholderName', 'SecondaryOwner', 'SeniorManagingOfficial', 'Settlor', 'SuccessorOnDeath',
] as const;
true satisfies Same<(typeof ACCOUNT_ROLES)[number], AisSchema['AEExternalAccountRoleCode']>;
export type UaeAccountRole = (typeof ACCOUNT_ROLES)[number];

export const REVOKED_BY = ['LFI', 'TPP', 'LFI.InitiatedByUser', 'TPP.InitiatedByUser'] as const;
true satisfies Same<(typeof REVOKED_BY)[number], AisSchema['AERevokedBy']>;

export const STANDING_ORDER_TYPES = ['BetweenMyAccounts', 'SameBankTransfer', 'LocalBankTransfer', 'InternationalTransfer', 'Charity'] as const;
true satisfies Same<(typeof STANDING_ORDER_TYPES)[number], AisSchema['StandingOrderType']>;
export type UaeStandingOrderType = (typeof STANDING_ORDER_TYPES)[number];

/** `AEPostalAddress.CountrySubDivision`: the seven emirates. */
export const EMIRATES = ['AbuDhabi', 'Ajman', 'Dubai', 'Fujairah', 'RasAlKhaimah', 'Sharjah', 'UmmAlQuwain'] as const;
true satisfies Same<(typeof EMIRATES)[number], NonNullable<AisSchema['AEPostalAddress']['CountrySubDivision']>>;
export type UaeEmirate = (typeof EMIRATES)[number];

/** Counterparty account schemes of payment instructions (`AECashAccount5_0`). */
export const CASH_ACCOUNT_SCHEMES = ['IBAN', 'AccountNumber', 'MaskedPAN', 'MobileNumber', 'UtilityName', 'EWallet'] as const;
true satisfies Same<(typeof CASH_ACCOUNT_SCHEMES)[number], AisSchema['AEExternalAccountIdentificationCode1']>;
export type UaeCashAccountScheme = (typeof CASH_ACCOUNT_SCHEMES)[number];

/**
 * The mock bank's own records for one customer. Names and values follow OBIE v3.1.11 (camelCase of
 * the OBIE field names, OBIE code values, amounts as decimal strings), so the AIS layer serialises
 * them field by field and the domain mapping is a set of exhaustive code maps.
 */

export const PROFILES = ['default', 'high_volume', 'thin'] as const;
export type Profile = (typeof PROFILES)[number];

/** OBIE `OBActiveOrHistoricCurrencyAndAmount`: an unsigned decimal string in the currency's precision. */
export interface ObAmount {
  amount: string;
  currency: string;
}

export type CreditDebit = 'Credit' | 'Debit';
export type AccountSubType = 'CurrentAccount' | 'Savings' | 'CreditCard' | 'Loan';
export type AccountStatus = 'Enabled' | 'Disabled' | 'Deleted' | 'Pending' | 'ProForma';
export type BalanceType =
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
export type CreditLineType = 'Available' | 'Credit' | 'Emergency' | 'Pre-Agreed' | 'Temporary';
export type PartyType = 'Sole' | 'Joint' | 'Delegate';
export type AccountRole = 'UK.OBIE.Principal' | 'UK.OBIE.SecondaryOwner' | 'UK.OBIE.OtherParty';
export type DirectDebitFrequency = 'UK.OBIE.Monthly' | 'UK.OBIE.Quarterly' | 'UK.OBIE.Annual';
export type InstructionStatus = 'Active' | 'Inactive';
export type Gender = 'Male' | 'Female';

/** OBIE `OBCashAccount5`: the counterparty account of a payment instruction. */
export interface CashAccount {
  schemeName: 'UK.OBIE.IBAN';
  identification: string;
  name: string;
}

/** OBIE `OBBranchAndFinancialInstitutionIdentification6`, with the bank's name. */
export interface FinancialInstitution {
  schemeName: 'UK.OBIE.BICFI';
  identification: string;
  name: string;
}

/** OBIE `OBPostalAddress6`. UAE addresses have no post code: the P.O. Box is an address line. */
export interface PostalAddress {
  addressType: 'Residential';
  addressLine: string[];
  buildingNumber: string;
  streetName: string;
  postCode: string | null;
  townName: string;
  countrySubDivision: string;
  country: string;
}

export interface NationalId {
  scheme: 'EmiratesId' | 'SaudiNationalId' | 'BahrainCpr';
  value: string;
}

/**
 * A natural person the bank knows. Phones use the OBIE `PhoneNumber` syntax (`+971-501234567`);
 * national id, birth date and gender are KYC data the OBIE party resource has no field for.
 */
export interface Person {
  partyId: string;
  /** The customer number (CIF) the bank files the person under. */
  partyNumber: string;
  givenName: string;
  fatherName: string;
  familyName: string;
  /** Name as the bank addresses the person: given and family name. */
  name: string;
  /** Full legal name, with the father's name, as on the national id. */
  fullLegalName: string;
  gender: Gender;
  birthDate: string;
  nationalId: NationalId;
  emailAddress: string;
  mobile: string;
  phone: string | null;
  address: PostalAddress;
}

/** OBIE `OBParty2` for a person's role on one account, or for the consenting user (`accountRole` null). */
export interface GeneratedParty {
  person: Person;
  partyType: PartyType;
  accountRole: AccountRole | null;
}

export interface BankTransactionCode {
  code: string;
  subCode: string;
}

export interface MerchantDetails {
  merchantName: string;
  /** ISO 18245. */
  merchantCategoryCode: string;
}

export interface GeneratedTransaction {
  /** Unique per account and stable as time passes, including across Pending → Booked. */
  transactionId: string;
  transactionReference: string | null;
  creditDebitIndicator: CreditDebit;
  status: 'Booked' | 'Pending';
  /** ISO 8601 UTC with milliseconds. */
  bookingDateTime: string;
  /** Null while pending: the value date is set when the entry books. */
  valueDateTime: string | null;
  transactionInformation: string;
  amount: ObAmount;
  bankTransactionCode: BankTransactionCode;
  merchantDetails: MerchantDetails | null;
}

export interface GeneratedBalance {
  type: BalanceType;
  creditDebitIndicator: CreditDebit;
  amount: ObAmount;
  dateTime: string;
  creditLine: { included: boolean; type: CreditLineType; amount: ObAmount }[];
}

export interface GeneratedBeneficiary {
  beneficiaryId: string;
  beneficiaryType: 'Trusted' | 'Ordinary';
  reference: string;
  creditorAgent: FinancialInstitution;
  creditorAccount: CashAccount;
}

export interface GeneratedDirectDebit {
  directDebitId: string;
  mandateIdentification: string;
  /** The creditor the mandate is with. */
  name: string;
  directDebitStatusCode: InstructionStatus;
  frequency: DirectDebitFrequency;
  previousPaymentDateTime: string | null;
  previousPaymentAmount: ObAmount | null;
}

export interface GeneratedStandingOrder {
  standingOrderId: string;
  /** OBIE `Frequency_1` syntax, for example `IntrvlMnthDay:01:25`. */
  frequency: string;
  reference: string;
  standingOrderStatusCode: InstructionStatus;
  firstPaymentDateTime: string;
  nextPaymentDateTime: string | null;
  lastPaymentDateTime: string | null;
  finalPaymentDateTime: string | null;
  numberOfPayments: string | null;
  firstPaymentAmount: ObAmount;
  nextPaymentAmount: ObAmount | null;
  lastPaymentAmount: ObAmount | null;
  finalPaymentAmount: ObAmount | null;
  creditorAgent: FinancialInstitution;
  creditorAccount: CashAccount;
}

export interface GeneratedScheduledPayment {
  scheduledPaymentId: string;
  scheduledPaymentDateTime: string;
  scheduledType: 'Arrival' | 'Execution';
  reference: string;
  instructedAmount: ObAmount;
  creditorAgent: FinancialInstitution;
  creditorAccount: CashAccount;
}

export interface GeneratedAccount {
  /** OBIE `AccountId`: opaque, stable for the customer. */
  accountId: string;
  accountType: 'Personal';
  accountSubType: AccountSubType;
  status: AccountStatus;
  currency: string;
  /** Product name, OBIE `Description`. */
  description: string;
  nickname: string | null;
  openingDate: string;
  /** When a loan's last instalment falls due; null for other accounts. */
  maturityDate: string | null;
  iban: string;
  accountNumber: string;
  servicer: FinancialInstitution;
  /** Card limit; null for other accounts. */
  creditLimit: ObAmount | null;
  balances: GeneratedBalance[];
  /** Oldest first. */
  transactions: GeneratedTransaction[];
  beneficiaries: GeneratedBeneficiary[];
  directDebits: GeneratedDirectDebit[];
  standingOrders: GeneratedStandingOrder[];
  scheduledPayments: GeneratedScheduledPayment[];
  parties: GeneratedParty[];
}

export interface GeneratedCustomer {
  bankIdentifier: string;
  login: string;
  profile: Profile;
  /** The instant the data is as of (ISO 8601 UTC); nothing in it is booked later. */
  asOf: string;
  /** The consenting user (OBIE `/party`). */
  party: GeneratedParty;
  accounts: GeneratedAccount[];
}

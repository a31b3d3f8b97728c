import type { KsaSchemas } from '../../standards/ksa-2022.11/codes.ts';
import type { ConsentStatus } from '../context.ts';
import type {
  AccountRole,
  CashAccount,
  FinancialInstitution,
  GeneratedAccount,
  GeneratedBalance,
  GeneratedBeneficiary,
  GeneratedDirectDebit,
  GeneratedParty,
  GeneratedScheduledPayment,
  GeneratedStandingOrder,
  GeneratedTransaction,
  ObAmount,
} from '../generator/model.ts';
import type { Consent } from '../state.ts';
import { transactionFacts } from '../transaction-facts.ts';

/**
 * The generator's records written out in the KSA 2022.11 wire, typed by the schemas generated
 * from `spec/ksa-2022.11/` so a field the standard does not have fails to compile. Amounts are the
 * generator's decimal strings, passed through (never the client's money code).
 *
 * Under the `ksa_quirks` fault the bank sends what real KSA banks do and the specification does
 * not allow, so the connector can be tested against it: `Flags: [null]`, `MerchantId: 0` with
 * `MerchantName: ""` for no merchant, an unprefixed `Status: "Booked"`, narratives padded with runs
 * of spaces, whole amounts without decimals (`"32"`), and a card fee sharing its purchase's `TransactionId`.
 */

type S = KsaSchemas;

const amount = (a: ObAmount): S['Amount'] => ({ Amount: a.amount, Currency: a.currency });

/** The store's OBIE spellings to KSA's. */
const CONSENT_STATUS = {
  AwaitingAuthorisation: 'AwaitingAuthorization',
  Authorised: 'Authorized',
  Rejected: 'Rejected',
  Revoked: 'Revoked',
  Expired: 'Expired',
} as const satisfies Record<ConsentStatus, S['ConsentStatus']>;

export function consentJson(consent: Consent, status: ConsentStatus, self: string): S['OBReadConsentResponse'] {
  return {
    Data: {
      ConsentId: consent.id,
      CreationDateTime: consent.createdAt,
      Status: CONSENT_STATUS[status],
      StatusUpdateDateTime: consent.statusUpdatedAt,
      Permissions: consent.permissions as S['ConsentPermission'][],
      ...(consent.expiresAt ? { ExpirationDateTime: consent.expiresAt } : {}),
      ...(consent.transactionsFrom ? { TransactionFromDateTime: consent.transactionsFrom } : {}),
      ...(consent.transactionsTo ? { TransactionToDateTime: consent.transactionsTo } : {}),
      ...(status === 'Revoked' ? { RevokedBy: 'KSAOB.TPP' as const } : {}),
    },
    Links: { Self: self },
    Meta: {},
  };
}

const SUB_TYPES: Record<string, S['AccountSubType']> = { CurrentAccount: 'CurrentAccount', Savings: 'Savings', CreditCard: 'CreditCard', ChargeCard: 'ChargeCard', PrePaidCard: 'PrePaidCard', EMoney: 'EMoney' };

export function accountJson(a: GeneratedAccount, detail: boolean): S['OBAccount'] {
  return {
    AccountId: a.accountId,
    ...(a.parties[0] ? { AccountHolderName: a.parties[0].person.name } : {}),
    Status: a.status === 'Enabled' ? 'Active' : 'NotActive',
    StatusUpdateDateTime: a.openingDate,
    Currency: a.currency,
    AccountType: 'KSAOB.Retail',
    AccountSubType: SUB_TYPES[a.accountSubType] ?? 'Other',
    Description: a.description.slice(0, 35),
    ...(a.nickname ? { Nickname: a.nickname } : {}),
    OpeningDate: a.openingDate,
    ...(detail
      ? {
          AccountIdentifiers: [
            { IdentificationType: 'KSAOB.IBAN', Identification: a.iban },
            { IdentificationType: 'KSAOB.AccountNumber', Identification: a.accountNumber },
          ],
          Servicer: { IdentificationType: 'KSAOB.BICFI', Identification: a.servicer.identification },
        }
      : {}),
  };
}

export function balanceJson(b: GeneratedBalance): S['OBBalance'] {
  return {
    CreditDebitIndicator: `KSAOB.${b.creditDebitIndicator}`,
    Type: `KSAOB.${b.type}`,
    DateTime: b.dateTime,
    Amount: amount(b.amount),
    ...(b.creditLine.length > 0 ? { CreditLine: b.creditLine.map((l) => ({ Included: l.included, Type: `KSAOB.${l.type}` as const, Amount: amount(l.amount) })) } : {}),
  };
}

/** VAT on bank fees in Saudi Arabia. */
const KSA_VAT_PERCENT = 15;
const KSA_FLAGS = { Payroll: 'KSAOB.Payroll', DirectDebit: 'KSAOB.DirectDebit', StandingOrder: 'KSAOB.StandingOrder', Loan: 'KSAOB.Loan' } as const;

/** What the generator's bank transaction code family says about the KSA transaction type. */
function transactionType(t: GeneratedTransaction): { type: S['TransactionType']; sub: S['SubTransactionType'] } {
  if (t.bankTransactionCode.subCode === 'BillPayment') return { type: 'KSAOB.BillPayments', sub: 'KSAOB.MoneyTransfer' };
  if (t.merchantDetails) return { type: 'KSAOB.POS', sub: t.creditDebitIndicator === 'Credit' ? 'KSAOB.Refund' : 'KSAOB.Purchase' };
  if (t.bankTransactionCode.subCode === 'CashWithdrawal') return { type: 'KSAOB.ATM', sub: 'KSAOB.Withdrawal' };
  return { type: 'KSAOB.LocalBankTransfer', sub: t.creditDebitIndicator === 'Credit' ? 'KSAOB.Deposit' : 'KSAOB.MoneyTransfer' };
}

/**
 * The spec's form of a transaction, then what a quirky bank does to it. Salaries, direct debits,
 * standing orders and loans carry their flag; a SADAD bill payment its bill; an itemised fee itself
 * as `ChargeAmount`, with its VAT. Times are Riyadh's (`LocalTimeZone: UTC+03:00`).
 */
export function transactionJson(t: GeneratedTransaction, detail: boolean, transactionId: string, quirks: boolean): S['OBTransaction'] {
  const { type, sub } = transactionType(t);
  const facts = transactionFacts(t, KSA_VAT_PERCENT);
  const json: S['OBTransaction'] = {
    TransactionId: transactionId,
    ...(t.transactionReference ? { TransactionReference: t.transactionReference } : {}),
    TransactionDateTime: t.bookingDateTime,
    LocalTimeZone: 'UTC+03:00',
    TransactionType: type,
    SubTransactionType: sub,
    ...(facts.flag ? { Flags: [KSA_FLAGS[facts.flag]] } : {}),
    // Salaries and loan instalments are run in batches; everything else as it happens.
    PaymentModes: facts.flag === 'Payroll' || facts.flag === 'Loan' ? 'KSAOB.Batch' : 'KSAOB.Online',
    CreditDebitIndicator: `KSAOB.${t.creditDebitIndicator}`,
    Status: `KSAOB.${t.status}`,
    TransactionMutability: t.status === 'Booked' ? 'KSAOB.Immutable' : 'KSAOB.Mutable',
    BookingDateTime: t.bookingDateTime,
    ...(t.valueDateTime ? { ValueDateTime: t.valueDateTime } : {}),
    TransactionInformation: detail ? t.transactionInformation.slice(0, 500) : type.slice('KSAOB.'.length),
    Amount: amount(t.amount),
    ...(facts.charge ? { ChargeAmount: amount(facts.charge.amount), ChargeAmountVat: amount(facts.charge.vat) } : {}),
    ...(detail && t.merchantDetails ? { MerchantDetails: { MerchantName: t.merchantDetails.merchantName, MerchantCategoryCode: t.merchantDetails.merchantCategoryCode } } : {}),
    ...(detail && facts.bill ? { BillDetails: { BillerId: facts.bill.billerId, BillNumber: facts.bill.billNumber, BillPaymentType: `KSAOB.${facts.bill.type}` as const } } : {}),
  };
  if (!quirks) return json;
  const q = json as unknown as Record<string, unknown>;
  // A flag the entry has stays; banks send `[null]` for none.
  q.Flags = facts.flag ? [KSA_FLAGS[facts.flag], null] : [null];
  if (!t.merchantDetails) q.MerchantDetails = { MerchantId: 0, MerchantName: '' };
  q.Status = t.status;
  q.TransactionInformation = `${t.transactionInformation}          ${'  '.repeat(20)}`;
  q.Amount = { Amount: t.amount.amount.replace(/\.0+$/, ''), Currency: t.amount.currency };
  return json;
}

/** A card fee of `t`, booked with it under the same `TransactionId`, as some KSA banks report charges. */
export function feeJson(t: GeneratedTransaction, transactionId: string): Record<string, unknown> {
  return {
    TransactionId: transactionId,
    TransactionDateTime: t.bookingDateTime,
    LocalTimeZone: 'UTC+03:00',
    TransactionType: 'KSAOB.POS',
    SubTransactionType: 'KSAOB.NotApplicable',
    PaymentModes: 'KSAOB.Online',
    CreditDebitIndicator: 'KSAOB.Debit',
    Status: 'KSAOB.Booked',
    BookingDateTime: t.bookingDateTime,
    TransactionInformation: 'رسوم عملية بطاقة   Card transaction fee',
    Amount: { Amount: '1.15', Currency: t.amount.currency },
    // The fee and its 15% VAT: 1.00 + 0.15.
    ChargeAmount: { Amount: '1.00', Currency: t.amount.currency },
    ChargeAmountVat: { Amount: '0.15', Currency: t.amount.currency },
    Flags: [null],
  };
}

/** `+966-501234567` (the generator's OBIE syntax) to E.164, as OpenID's `phone_number` has it. */
const e164 = (phone: string) => `+${phone.replace(/\D/g, '')}`;

/**
 * What the bank's KYC verified of a person (`ReadPartyPSUIdentity`): OpenID identity-assurance
 * claims under the Saudi trust framework, the national id (or iqama) as the identity document's
 * `PersonalNumber`. The generator keeps no id expiry: it is the holder's birthday some years on.
 */
function verifiedClaims(person: GeneratedParty['person']): NonNullable<S['OBParty']['VerifiedClaims']> {
  const a = person.address;
  const citizen = person.nationalId.scheme === 'SaudiNationalId' && person.nationalId.value.startsWith('1');
  return [
    {
      Verification: {
        TrustFramework: 'SA_IAM',
        AssuranceLevel: 'high',
        Evidence: [
          {
            Type: 'document',
            DocumentDetails: {
              Type: citizen ? 'idcard' : 'residence_permit',
              PersonalNumber: person.nationalId.value,
              CalendarType: 'KSAOB.GregorianCalendar',
              DateOfExpiry: `${2027 + (Number(person.birthDate.slice(8, 10)) % 4)}${person.birthDate.slice(4, 10).replace('-02-29', '-02-28')}T00:00:00+03:00`,
            },
          },
        ],
      },
      Claims: {
        Sub: person.partyId,
        Name: person.fullLegalName,
        GivenName: person.givenName,
        MiddleName: person.fatherName,
        FamilyName: person.familyName,
        Email: person.emailAddress,
        Gender: person.gender.toLowerCase(),
        BirthDate: person.birthDate.slice(0, 10),
        PhoneNumber: e164(person.mobile),
        ...(citizen ? { Nationalities: ['SA'] } : {}),
        Address: {
          Formatted: [...a.addressLine, a.townName, a.postCode, a.country].filter(Boolean).join(', '),
          StreetAddress: `${a.buildingNumber} ${a.streetName}`,
          Locality: a.townName,
          Region: a.countrySubDivision,
          ...(a.postCode ? { PostalCode: a.postCode } : {}),
          Country: a.country,
        },
      },
    },
  ];
}

/** The user (`/parties`); with `kyc` (`ReadPartyPSUIdentity`) what the bank's KYC verified of them. */
export function partyJson(p: GeneratedParty, kyc = false): S['OBParty'] {
  const { person } = p;
  return {
    PartyId: person.partyId,
    PartyNumber: person.partyNumber,
    PartyType: `KSAOB.${p.partyType}`,
    Name: person.name,
    FullLegalName: person.fullLegalName,
    EmailAddress: person.emailAddress,
    Mobile: person.mobile,
    ...(kyc ? { VerifiedClaims: verifiedClaims(person) } : {}),
  };
}

/** The generator's OBIE roles in KSA's list. */
const ROLES = { 'UK.OBIE.Principal': 'KSAOB.Principal', 'UK.OBIE.SecondaryOwner': 'KSAOB.SecondaryOwner', 'UK.OBIE.OtherParty': 'KSAOB.OtherParty' } as const satisfies Record<AccountRole, S['AccountRole']>;

/** A party of an account (`/accounts/{id}/parties`): the user's fields and the role. */
export function accountPartyJson(p: GeneratedParty): S['OBParty'] {
  return { ...partyJson(p), AccountRole: ROLES[p.accountRole ?? 'UK.OBIE.Principal'] };
}

const BENEFICIARY_TYPES = { Trusted: 'KSAOB.Activated', Ordinary: 'KSAOB.NotActivated' } as const satisfies Record<GeneratedBeneficiary['beneficiaryType'], S['BeneficiaryType']>;

/** The generator's counterparties in KSA's schemes: the holder is named on the account. */
const agent = (a: FinancialInstitution, named = false): S['Agent'] => ({ IdentificationType: 'KSAOB.BICFI', Identification: a.identification, ...(named ? { Name: a.name.slice(0, 140) } : {}) });
const creditorAccount = (a: CashAccount): S['CashAccount'][] => [{ IdentificationType: 'KSAOB.IBAN', Identification: a.identification, Name: a.name.slice(0, 350) }];
const reference = (text: string) => text.slice(0, 35);
const creditor = (detail: boolean, a: FinancialInstitution, account: CashAccount) => (detail ? { CreditorAgent: agent(a), CreditorAccount: creditorAccount(account) } : {});

/** `OBBeneficiary`. Basic leaves out whom and where the money goes. */
export function beneficiaryJson(b: GeneratedBeneficiary, detail: boolean): S['OBBeneficiary'] {
  return {
    BeneficiaryId: b.beneficiaryId,
    BeneficiaryType: BENEFICIARY_TYPES[b.beneficiaryType],
    Reference: reference(b.reference),
    ...(detail ? { CreditorAgent: agent(b.creditorAgent, true), CreditorAccount: creditorAccount(b.creditorAccount) } : {}),
  };
}

/** `OBDirectDebit`: KSA has no frequency. */
export function directDebitJson(d: GeneratedDirectDebit): S['OBDirectDebit'] {
  return {
    DirectDebitId: d.directDebitId,
    MandateIdentification: d.mandateIdentification,
    DirectDebitStatusCode: `KSAOB.${d.directDebitStatusCode}`,
    Name: d.name.slice(0, 70),
    ...(d.previousPaymentDateTime ? { PreviousPaymentDateTime: d.previousPaymentDateTime } : {}),
    ...(d.previousPaymentAmount ? { PreviousPaymentAmount: amount(d.previousPaymentAmount) } : {}),
  };
}

/** `OBStandingOrder`. Basic leaves out the creditor. */
export function standingOrderJson(o: GeneratedStandingOrder, detail: boolean): S['OBStandingOrder'] {
  return {
    StandingOrderId: o.standingOrderId,
    Frequency: o.frequency,
    Reference: reference(o.reference),
    FirstPaymentDateTime: o.firstPaymentDateTime,
    ...(o.nextPaymentDateTime ? { NextPaymentDateTime: o.nextPaymentDateTime } : {}),
    ...(o.lastPaymentDateTime ? { LastPaymentDateTime: o.lastPaymentDateTime } : {}),
    ...(o.finalPaymentDateTime ? { FinalPaymentDateTime: o.finalPaymentDateTime } : {}),
    StandingOrderStatusCode: `KSAOB.${o.standingOrderStatusCode}`,
    FirstPaymentAmount: amount(o.firstPaymentAmount),
    ...(o.nextPaymentAmount ? { NextPaymentAmount: amount(o.nextPaymentAmount) } : {}),
    ...(o.lastPaymentAmount ? { LastPaymentAmount: amount(o.lastPaymentAmount) } : {}),
    ...(o.finalPaymentAmount ? { FinalPaymentAmount: amount(o.finalPaymentAmount) } : {}),
    ...creditor(detail, o.creditorAgent, o.creditorAccount),
  };
}

/** `OBScheduledPayment`. Basic leaves out the creditor. */
export function scheduledPaymentJson(p: GeneratedScheduledPayment, detail: boolean): S['OBScheduledPayment'] {
  return {
    ScheduledPaymentId: p.scheduledPaymentId,
    ScheduledType: `KSAOB.${p.scheduledType}`,
    ScheduledPaymentDateTime: p.scheduledPaymentDateTime,
    CreditorReference: reference(p.reference),
    InstructedAmount: amount(p.instructedAmount),
    ...creditor(detail, p.creditorAgent, p.creditorAccount),
  };
}

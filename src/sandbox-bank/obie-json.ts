import type {
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
} from './generator/model.ts';

/**
 * The generator's records written out as OBIE v3.1.11 `Data` items. Optional OBIE fields are left
 * out when the bank has nothing for them (OBIE has no nulls); `detail` adds what the `…Detail`
 * permission grants over `…Basic`.
 */

const amount = (a: ObAmount) => ({ Amount: a.amount, Currency: a.currency });
const agent = (a: FinancialInstitution) => ({ SchemeName: a.schemeName, Identification: a.identification });
const cashAccount = (a: CashAccount) => ({ SchemeName: a.schemeName, Identification: a.identification, Name: a.name });

/** OBIE `Description` holds at most 35 characters. */
const description = (text: string) => text.slice(0, 35);

/**
 * `OBAccount6`. Basic leaves out the account identification and the servicer. Detail names the
 * account twice, as Gulf banks print it: the IBAN, and the domestic account number as `BBAN`.
 */
export function accountJson(a: GeneratedAccount, detail: boolean) {
  return {
    AccountId: a.accountId,
    Status: a.status,
    StatusUpdateDateTime: a.openingDate,
    Currency: a.currency,
    AccountType: a.accountType,
    AccountSubType: a.accountSubType,
    Description: description(a.description),
    ...(a.nickname ? { Nickname: a.nickname } : {}),
    OpeningDate: a.openingDate,
    ...(a.maturityDate ? { MaturityDate: a.maturityDate } : {}),
    ...(detail
      ? {
          Account: [
            { SchemeName: 'UK.OBIE.IBAN', Identification: a.iban, ...(a.parties[0] ? { Name: a.parties[0].person.name } : {}) },
            { SchemeName: 'UK.OBIE.BBAN', Identification: a.accountNumber },
          ],
          Servicer: agent(a.servicer),
        }
      : {}),
  };
}

/** `OBReadBalance1.Data.Balance[]` item. */
export function balanceJson(accountId: string, b: GeneratedBalance) {
  return {
    AccountId: accountId,
    CreditDebitIndicator: b.creditDebitIndicator,
    Type: b.type,
    DateTime: b.dateTime,
    Amount: amount(b.amount),
    ...(b.creditLine.length > 0 ? { CreditLine: b.creditLine.map((l) => ({ Included: l.included, Type: l.type, Amount: amount(l.amount) })) } : {}),
  };
}

/**
 * `OBTransaction6`. Basic leaves out the narrative and the merchant. `transactionId` is what the
 * bank shows as the id this time (faults may change or drop it).
 */
export function transactionJson(accountId: string, t: GeneratedTransaction, detail: boolean, transactionId: string | null) {
  return {
    AccountId: accountId,
    ...(transactionId === null ? {} : { TransactionId: transactionId }),
    ...(t.transactionReference ? { TransactionReference: t.transactionReference } : {}),
    CreditDebitIndicator: t.creditDebitIndicator,
    Status: t.status,
    BookingDateTime: t.bookingDateTime,
    ...(t.valueDateTime ? { ValueDateTime: t.valueDateTime } : {}),
    ...(detail ? { TransactionInformation: t.transactionInformation } : {}),
    Amount: amount(t.amount),
    BankTransactionCode: { Code: t.bankTransactionCode.code, SubCode: t.bankTransactionCode.subCode },
    ...(detail && t.merchantDetails
      ? { MerchantDetails: { MerchantName: t.merchantDetails.merchantName, MerchantCategoryCode: t.merchantDetails.merchantCategoryCode } }
      : {}),
  };
}

/** `OBBeneficiary5`. Basic leaves out whom and where the money goes. */
export function beneficiaryJson(accountId: string, b: GeneratedBeneficiary, detail: boolean) {
  return {
    AccountId: accountId,
    BeneficiaryId: b.beneficiaryId,
    BeneficiaryType: b.beneficiaryType,
    Reference: b.reference,
    ...(detail ? { CreditorAgent: { ...agent(b.creditorAgent), Name: b.creditorAgent.name }, CreditorAccount: cashAccount(b.creditorAccount) } : {}),
  };
}

/** `OBReadDirectDebit2.Data.DirectDebit[]` item. */
export function directDebitJson(accountId: string, d: GeneratedDirectDebit) {
  return {
    AccountId: accountId,
    DirectDebitId: d.directDebitId,
    MandateIdentification: d.mandateIdentification,
    DirectDebitStatusCode: d.directDebitStatusCode,
    Name: d.name,
    ...(d.previousPaymentDateTime ? { PreviousPaymentDateTime: d.previousPaymentDateTime } : {}),
    Frequency: d.frequency,
    ...(d.previousPaymentAmount ? { PreviousPaymentAmount: amount(d.previousPaymentAmount) } : {}),
  };
}

/** `OBStandingOrder6`. Basic leaves out the creditor. */
export function standingOrderJson(accountId: string, s: GeneratedStandingOrder, detail: boolean) {
  return {
    AccountId: accountId,
    StandingOrderId: s.standingOrderId,
    Frequency: s.frequency,
    Reference: s.reference,
    FirstPaymentDateTime: s.firstPaymentDateTime,
    ...(s.nextPaymentDateTime ? { NextPaymentDateTime: s.nextPaymentDateTime } : {}),
    ...(s.lastPaymentDateTime ? { LastPaymentDateTime: s.lastPaymentDateTime } : {}),
    ...(s.finalPaymentDateTime ? { FinalPaymentDateTime: s.finalPaymentDateTime } : {}),
    ...(s.numberOfPayments ? { NumberOfPayments: s.numberOfPayments } : {}),
    StandingOrderStatusCode: s.standingOrderStatusCode,
    FirstPaymentAmount: amount(s.firstPaymentAmount),
    ...(s.nextPaymentAmount ? { NextPaymentAmount: amount(s.nextPaymentAmount) } : {}),
    ...(s.lastPaymentAmount ? { LastPaymentAmount: amount(s.lastPaymentAmount) } : {}),
    ...(s.finalPaymentAmount ? { FinalPaymentAmount: amount(s.finalPaymentAmount) } : {}),
    ...(detail ? { CreditorAgent: agent(s.creditorAgent), CreditorAccount: cashAccount(s.creditorAccount) } : {}),
  };
}

/** `OBScheduledPayment3`. Basic leaves out the creditor. */
export function scheduledPaymentJson(accountId: string, p: GeneratedScheduledPayment, detail: boolean) {
  return {
    AccountId: accountId,
    ScheduledPaymentId: p.scheduledPaymentId,
    ScheduledPaymentDateTime: p.scheduledPaymentDateTime,
    ScheduledType: p.scheduledType,
    Reference: p.reference,
    InstructedAmount: amount(p.instructedAmount),
    ...(detail ? { CreditorAgent: agent(p.creditorAgent), CreditorAccount: cashAccount(p.creditorAccount) } : {}),
  };
}

/** `OBParty2`; `AccountRole` only for a party listed on an account. */
export function partyJson(p: GeneratedParty) {
  const { person } = p;
  const a = person.address;
  return {
    PartyId: person.partyId,
    PartyNumber: person.partyNumber,
    PartyType: p.partyType,
    Name: person.name,
    FullLegalName: person.fullLegalName,
    ...(p.accountRole ? { AccountRole: p.accountRole } : {}),
    EmailAddress: person.emailAddress,
    ...(person.phone ? { Phone: person.phone } : {}),
    Mobile: person.mobile,
    Address: [
      {
        AddressType: a.addressType,
        AddressLine: a.addressLine.slice(0, 5),
        StreetName: a.streetName,
        BuildingNumber: a.buildingNumber,
        ...(a.postCode ? { PostCode: a.postCode } : {}),
        TownName: a.townName,
        CountrySubDivision: a.countrySubDivision,
        Country: a.country,
      },
    ],
  };
}

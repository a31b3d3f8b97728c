import type { AccountIdentity, Balance, Beneficiary, DirectDebit, Identity, ScheduledPayment, StandingOrder } from '../../domain/bank-data.ts';
import type { FetchedTransaction } from '../../domain/snapshot.ts';
import { transactionKeys } from '../../domain/transaction-key.ts';
import { e164, instant, type BankContext, type MappedAccount } from '../obie/mapping.ts';
import { directedAmount, directedMinor, MalformedData, mapEach, optionalAmount, unsignedAmount, unsignedMinor, type Mapped, type Note } from '../records.ts';
import type {
  UaeAccount,
  UaeAccountParty,
  UaeBalance,
  UaeBeneficiary,
  UaeBusinessClaims,
  UaeCashAccount,
  UaeDirectDebit,
  UaePersonClaims,
  UaePostalAddress,
  UaeScheduledPayment,
  UaeStandingOrder,
  UaeTransaction,
  UaeUserParty,
  UaeVerifiedClaim,
} from '../../standards/uae-2.1/wire.ts';
import {
  ACCOUNT_ROLES,
  ACCOUNT_STATUSES,
  ACCOUNT_TYPES,
  BALANCE_TYPES,
  BENEFICIARY_TYPES,
  BILL_PAYMENT_TYPES,
  CREDIT_DEBIT,
  decode,
  DIRECT_DEBIT_FREQUENCIES,
  ENTRY_STATUSES,
  INSTRUCTION_STATUSES,
  PARTY_TYPES,
  PAYMENT_MODES,
  SCHEDULE_TYPES,
  TRANSACTION_FLAGS,
  TRANSACTION_MUTABILITIES,
} from './codes.ts';

/**
 * UAE v2.1 records to domain records. Pure. The same rules as the OBIE mapping
 * (docs/decisions/005-obie-connector.md, 013-partial-data-and-bank-quirks.md): a value that breaks
 * the format throws `MalformedData` (that record is skipped); a code that decides what a record
 * means and is not in the UAE list drops the record with a note; a descriptive one falls back with
 * a note; a signed amount is normalised. Every record dropped is counted. Date-time
 * parsing is the OBIE mapping's: a zone-less value is the bank's local time (Asia/Dubai).
 */

export { MalformedData, type BankContext, type Mapped, type MappedAccount };

function decoded<M extends Readonly<Record<string, unknown>>>(map: M, code: string | undefined, field: string, note: Note, otherwise: string): M[keyof M] | undefined {
  if (code === undefined) return undefined;
  const value = decode(map, code);
  if (value === undefined) note(`unknown ${field} ${JSON.stringify(code)}: ${otherwise}`);
  return value;
}


const PRODUCT_NAMES = { CURRENT: 'Current account', SAVINGS: 'Savings account', CREDIT_CARD: 'Credit card', LOAN: 'Finance' } as const;

/**
 * `AEAccountArrayId` list. The UAE names identifications `IBAN` and `AccountNumber` (no namespace);
 * the holder is `AccountHolderName`. An account listed twice is kept once.
 */
export function mapAccounts(raw: readonly UaeAccount[], bank: BankContext): Mapped<MappedAccount> {
  const seen = new Set<string>();
  return mapEach(raw, (a, note): MappedAccount | null => {
    if (seen.has(a.AccountId)) {
      note('account listed twice; kept once');
      return null;
    }
    seen.add(a.AccountId);
    const type = decoded(ACCOUNT_TYPES, a.AccountSubType, 'AccountSubType', note, 'read as CURRENT') ?? 'CURRENT';
    const status = decoded(ACCOUNT_STATUSES, a.Status, 'Status', note, 'read as ENABLED') ?? 'ENABLED';
    const ids = a.AccountIdentifiers ?? [];
    const scheme = (name: string) => ids.find((x) => x.SchemeName.toLowerCase() === name.toLowerCase())?.Identification ?? null;
    return {
      bank_account_id: a.AccountId,
      account: {
        name: a.Description ?? a.Nickname ?? PRODUCT_NAMES[type],
        type,
        currency: a.Currency ?? bank.currency,
        iban: scheme('IBAN'),
        account_number: scheme('AccountNumber'),
        bic: a.Servicer && a.Servicer.SchemeName === 'BICFI' ? a.Servicer.Identification : null,
        nickname: a.Nickname ?? null,
        holder_name: a.AccountHolderName ?? ids.find((x) => x.Name !== undefined)?.Name ?? null,
        status,
        opened_at: a.OpeningDate === undefined ? null : instant(a.OpeningDate, bank),
      },
    };
  });
}

/** `AEBalance` items; one of an unknown type or direction is dropped. The UAE has no credit lines on the balance. */
export function mapBalances(raw: readonly UaeBalance[], bank: BankContext): Mapped<Balance> {
  return mapEach(raw, (b, note): Balance | null => {
    const type = decoded(BALANCE_TYPES, b.Type, 'balance Type', note, 'balance dropped');
    const direction = decoded(CREDIT_DEBIT, b.CreditDebitIndicator, 'CreditDebitIndicator', note, 'balance dropped');
    if (type === undefined || direction === undefined) return null;
    return {
      type,
      amount: directedAmount(b.Amount, direction, note),
      credit_debit_indicator: direction,
      timestamp: instant(b.DateTime, bank),
      credit_lines: [],
    };
  });
}

/**
 * What the UAE says about a transaction beyond the seed's fields: mutability, payment mode,
 * charges, flags, the bill paid and the local time zone. Every code here is descriptive: an
 * unknown one reads null (a flag: is left out) with a note. Absent fields read null.
 */
function standardFields(t: UaeTransaction, note: Note) {
  const bill = t.BillDetails;
  const billerId = bill?.BillerId === undefined || bill.BillerId === null ? null : String(bill.BillerId);
  const billType = decoded(BILL_PAYMENT_TYPES, bill?.BillPaymentType, 'BillPaymentType', note, 'read as null') ?? null;
  return {
    transaction_mutability: decoded(TRANSACTION_MUTABILITIES, t.TransactionMutability, 'TransactionMutability', note, 'read as null') ?? null,
    payment_mode: decoded(PAYMENT_MODES, t.PaymentModes, 'PaymentModes', note, 'read as null') ?? null,
    charge_minor: t.ChargeAmount ? unsignedMinor(t.ChargeAmount, note) : null,
    charge_currency: t.ChargeAmount?.Currency ?? null,
    charge_vat_minor: t.ChargeAmountVat ? unsignedMinor(t.ChargeAmountVat, note) : null,
    charge_vat_currency: t.ChargeAmountVat?.Currency ?? null,
    flags:
      t.Flags === undefined || t.Flags === null
        ? null
        : [...new Set((t.Flags as (string | null)[]).flatMap((f) => (f === null ? [] : (decoded(TRANSACTION_FLAGS, f, 'flag', note, 'left out') ?? []))))],
    // An empty `BillDetails` is no bill.
    bill: billerId === null && !bill?.BillNumber && billType === null ? null : { biller_id: billerId, bill_number: bill?.BillNumber || null, payment_type: billType },
    local_time_zone: t.LocalTimeZone ?? null,
  };
}

/**
 * `AETransaction` items of one account, with stable keys. Rejected entries and entries of an
 * unknown status or direction are dropped. The description is the narrative (often Arabic and
 * English), else the merchant, else the reference.
 */
export function mapTransactions(raw: readonly UaeTransaction[], bank: BankContext): Mapped<FetchedTransaction> {
  const mapped = mapEach(raw, (t, note): Omit<FetchedTransaction, 'key'> | null => {
    const status = decoded(ENTRY_STATUSES, t.Status, 'Status', note, 'transaction dropped');
    const direction = decoded(CREDIT_DEBIT, t.CreditDebitIndicator, 'CreditDebitIndicator', note, 'transaction dropped');
    if (status === null) note('rejected transaction dropped');
    if (!status || !direction) return null;
    const merchant = t.MerchantDetails;
    const code = t.BankTransactionCode;
    return {
      bank_transaction_id: t.TransactionId,
      status,
      booking_at: instant(t.BookingDateTime, bank),
      value_at: t.ValueDateTime === undefined ? null : instant(t.ValueDateTime, bank),
      amount_minor: directedMinor(t.Amount, direction, note),
      currency: t.Amount.Currency,
      credit_debit: direction,
      description: t.TransactionInformation ?? merchant?.MerchantName ?? t.TransactionReference ?? '',
      reference: t.TransactionReference ?? null,
      merchant_name: merchant?.MerchantName ?? null,
      merchant_category_code: merchant?.MerchantCategoryCode ?? null,
      bank_transaction_code: code?.DomainCode ? [code.DomainCode, code.FamilyCode, code.SubFamilyCode].filter(Boolean).join('.') : (t.ProprietaryBankTransactionCode?.Code ?? `${t.TransactionType}.${t.SubTransactionType}`),
      ...standardFields(t, note),
    };
  });
  const keys = transactionKeys(mapped.items);
  return { ...mapped, items: mapped.items.map((t, i) => ({ key: keys[i]!, ...t })) };
}

const optionalInstant = (value: string | undefined, bank: BankContext) => (value === undefined ? null : instant(value, bank));

/**
 * The creditor of a payment instruction. The UAE lists the creditor's account identifications
 * (`CreditorAccount[]`, no names) and names the holder on the instruction (`AccountHolderName`).
 */
function counterparty(holder: string | undefined, accounts: readonly UaeCashAccount[] | undefined, agent: { SchemeName: string; Identification: string } | undefined) {
  const scheme = (name: string) => accounts?.find((x) => x.SchemeName.toLowerCase() === name.toLowerCase())?.Identification ?? null;
  return {
    name: holder ?? null,
    iban: scheme('IBAN'),
    account_number: scheme('AccountNumber'),
    bic: agent && agent.SchemeName === 'BICFI' ? agent.Identification : null,
  };
}
const hasCreditor = (x: { AccountHolderName?: string; CreditorAccount?: unknown[]; CreditorAgent?: unknown }) =>
  x.AccountHolderName !== undefined || (x.CreditorAccount?.length ?? 0) > 0 || x.CreditorAgent !== undefined;

/** `AEBeneficiary`. `Activated` (added with SCA) is OBIE's trusted beneficiary. */
export function mapBeneficiaries(raw: readonly UaeBeneficiary[]): Mapped<Beneficiary> {
  return mapEach(raw, (b, note) => ({
    beneficiary_id: b.BeneficiaryId,
    type: decoded(BENEFICIARY_TYPES, b.BeneficiaryType, 'BeneficiaryType', note, 'read as null') ?? null,
    reference: b.Reference ?? null,
    creditor: counterparty(b.AccountHolderName, b.CreditorAccount, b.CreditorAgent),
    bank_name: b.CreditorAgent?.Name ?? null,
  }));
}

export function mapDirectDebits(raw: readonly UaeDirectDebit[], bank: BankContext): Mapped<DirectDebit> {
  return mapEach(raw, (d, note) => ({
    direct_debit_id: d.DirectDebitId,
    mandate_id: d.MandateIdentification,
    name: d.Name,
    status: decoded(INSTRUCTION_STATUSES, d.DirectDebitStatusCode, 'DirectDebitStatusCode', note, 'read as null') ?? null,
    frequency: decoded(DIRECT_DEBIT_FREQUENCIES, d.Frequency, 'Frequency', note, 'read as null') ?? null,
    previous_payment_amount: optionalAmount(d.PreviousPaymentAmount, note),
    previous_payment_timestamp: optionalInstant(d.PreviousPaymentDateTime, bank),
  }));
}

/** The reference is the creditor's (`CreditorReference`, OBIE's `Reference`); the creditor only comes with the `Detail` permission. */
export function mapStandingOrders(raw: readonly UaeStandingOrder[], bank: BankContext): Mapped<StandingOrder> {
  return mapEach(raw, (s, note) => ({
    standing_order_id: s.StandingOrderId,
    frequency: s.Frequency,
    reference: s.CreditorReference ?? null,
    status: decoded(INSTRUCTION_STATUSES, s.StandingOrderStatusCode, 'StandingOrderStatusCode', note, 'read as null') ?? null,
    first_payment_date: optionalInstant(s.FirstPaymentDateTime, bank),
    next_payment_date: optionalInstant(s.NextPaymentDateTime, bank),
    last_payment_date: optionalInstant(s.LastPaymentDateTime, bank),
    final_payment_date: optionalInstant(s.FinalPaymentDateTime, bank),
    first_payment_amount: optionalAmount(s.FirstPaymentAmount, note),
    next_payment_amount: optionalAmount(s.NextPaymentAmount, note),
    last_payment_amount: optionalAmount(s.LastPaymentAmount, note),
    final_payment_amount: optionalAmount(s.FinalPaymentAmount, note),
    creditor: hasCreditor(s) ? counterparty(s.AccountHolderName, s.CreditorAccount, s.CreditorAgent) : null,
  }));
}

/** The reference is the creditor's, else the debtor's own. */
export function mapScheduledPayments(raw: readonly UaeScheduledPayment[], bank: BankContext): Mapped<ScheduledPayment> {
  return mapEach(raw, (p, note) => ({
    scheduled_payment_id: p.ScheduledPaymentId,
    execution_date: instant(p.ScheduledPaymentDateTime, bank),
    type: decoded(SCHEDULE_TYPES, p.ScheduledType, 'ScheduledType', note, 'read as EXECUTION') ?? 'EXECUTION',
    amount: unsignedAmount(p.InstructedAmount, note),
    reference: p.CreditorReference ?? p.DebtorReference ?? null,
    creditor: hasCreditor(p) ? counterparty(p.AccountHolderName, p.CreditorAccount, p.CreditorAgent) : null,
  }));
}

function address(a: UaePostalAddress | undefined) {
  if (a === undefined) return null;
  return {
    lines: a.AddressLine ?? [],
    building_number: a.BuildingNumber ?? null,
    street_name: a.StreetName ?? null,
    town_name: a.TownName ?? null,
    // The UAE has no postcodes; the P.O. Box is where mail goes.
    post_code: a.PostBox ?? null,
    country_sub_division: a.CountrySubDivision ?? null,
    country: a.Country ?? null,
  };
}

/**
 * What a UAE party says about the person or business, from its first verified claims (the LFI's
 * KYC record, `TrustFramework: FI`). A person: full name as given and surname, legal name as on
 * the Emirates ID (`FullName`), which is also the national identity number. A business: its name
 * and trade licence number.
 */
function claimsFields(verified: readonly UaeVerifiedClaim[] | undefined) {
  const claims = verified?.[0]?.Claims as (UaePersonClaims | UaeBusinessClaims) | undefined;
  if (claims?.IdentityType === 'Person') {
    const c = claims as UaePersonClaims;
    return {
      full_name: c.GivenName && c.Surname ? `${c.GivenName} ${c.Surname}` : c.FullName,
      legal_name: c.FullName,
      national_identity_number: c.EmiratesId,
      email_address: c.Email ?? null,
      mobile_number: e164(c.MobileNumber),
      phone_number: null,
      address: address(c.ResidentialAddress),
      birth_date: c.DateOfBirth ?? null,
    };
  }
  const b = claims as UaeBusinessClaims | undefined;
  return {
    full_name: b?.BusinessName ?? null,
    legal_name: b?.BusinessName ?? null,
    national_identity_number: b?.TradeLicenceNumber ?? null,
    email_address: b?.CorporateContactEmail ?? null,
    mobile_number: null,
    phone_number: e164(b?.CorporateContactPhoneNumber),
    address: address(b?.CorporateAddress),
    birth_date: null,
  };
}

/** `/accounts/{id}/parties` (`AEPartyIdentityAssurance2`). */
export function mapAccountIdentities(raw: readonly UaeAccountParty[]): Mapped<AccountIdentity> {
  return mapEach(raw, (p, note) => {
    const { birth_date: _, ...fields } = claimsFields(p.VerifiedClaims);
    return {
      party_id: p.PartyId,
      ...fields,
      party_type: decoded(PARTY_TYPES, p.PartyType, 'PartyType', note, 'read as null') ?? null,
      account_role: decoded(ACCOUNT_ROLES, p.AccountRole, 'AccountRole', note, 'read as null') ?? null,
    };
  });
}

/** A person's name parts and nationality from the verified claims (added Lean identity fields); a business has none. */
function verifiedNames(verified: readonly UaeVerifiedClaim[] | undefined) {
  const claims = verified?.[0]?.Claims as (UaePersonClaims | UaeBusinessClaims) | undefined;
  if (claims?.IdentityType !== 'Person') return { given_name: null, middle_name: null, family_name: null, nationalities: null };
  const c = claims as UaePersonClaims;
  return { given_name: c.GivenName ?? null, middle_name: c.MiddleName ?? null, family_name: c.Surname ?? null, nationalities: c.Nationality ? [c.Nationality] : null };
}

/** `/parties` (`AEPartyIdentityAssurance4`): the consenting user. The UAE has no party type for the user, nor a gender claim. */
export function mapIdentity(raw: UaeUserParty | undefined): { identity: Identity | null; notes: string[] } {
  if (raw === undefined) return { identity: null, notes: [] };
  return { identity: { party_id: raw.PartyId, ...claimsFields(raw.VerifiedClaims), party_type: null, gender: null, ...verifiedNames(raw.VerifiedClaims) }, notes: [] };
}

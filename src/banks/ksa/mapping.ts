import type { AccountIdentity, AccountType, Balance, Beneficiary, DirectDebit, Identity, ScheduledPayment, StandingOrder } from '../../domain/bank-data.ts';
import type { FetchedTransaction } from '../../domain/snapshot.ts';
import { transactionKeys } from '../../domain/transaction-key.ts';
import { e164, instant, type BankContext, type MappedAccount } from '../obie/mapping.ts';
import { directedAmount, directedMinor, MalformedData, mapEach, optionalAmount, unsignedAmount, unsignedMinor, type Mapped, type Note } from '../records.ts';
import {
  ACCOUNT_ROLES,
  ACCOUNT_STATUSES,
  ACCOUNT_TYPES,
  BALANCE_TYPES,
  BENEFICIARY_TYPES,
  BILL_PAYMENT_TYPES,
  CREDIT_DEBIT,
  CREDIT_LINE_TYPES,
  decode,
  ENTRY_STATUSES,
  INSTRUCTION_STATUSES,
  isScheme,
  PARTY_TYPES,
  PAYMENT_MODES,
  SCHEDULE_TYPES,
  TRANSACTION_FLAGS,
  TRANSACTION_MUTABILITIES,
} from './codes.ts';
import type {
  KsaAccount,
  KsaAccountParty,
  KsaAgent,
  KsaBalance,
  KsaBeneficiary,
  KsaCashAccount,
  KsaDirectDebit,
  KsaParty,
  KsaScheduledPayment,
  KsaStandingOrder,
  KsaTransaction,
} from './wire.ts';

/**
 * KSA records (checked against `wire.ts`) to domain records. Pure. The rules are OBIE's
 * (`../obie/mapping.ts`, whose date handling this shares, and `../records.ts`): a broken amount or
 * date skips that record; a code that decides what a record means (balance type, credit or debit,
 * entry status) and is unknown drops that record with a note; a descriptive code falls back; a
 * signed amount is normalised. Every record dropped is counted.
 *
 * What real KSA banks send, and what happens (none of it drops or merges a transaction):
 * - `Flags: [null]`: the nulls are ignored.
 * - `MerchantId: 0`, `MerchantName: ""`: no merchant.
 * - An unprefixed `Status: "Active"` beside `KSAOB.*` codes: codes are read with or without the
 *   namespace, in any letter case.
 * - `TransactionInformation` padded with runs of spaces (long Arabic narratives): runs collapse to one space.
 * - Amounts without decimals (`"32"`): read as whole units.
 * - Two charges sharing one `TransactionId`: booked transactions are identified by what they are
 *   (`transactionKeys`), so they stay two.
 */

export { MalformedData };
export type { BankContext, Mapped, MappedAccount };

function decoded<M extends Readonly<Record<string, unknown>>>(map: M, code: string | undefined | null, field: string, note: Note, otherwise: string): M[keyof M] | undefined {
  if (code === undefined || code === null) return undefined;
  const value = decode(map, code);
  if (value === undefined) note(`unknown ${field} ${JSON.stringify(code)}: ${otherwise}`);
  return value;
}

/** An amount without an indicator; a negative one is read as its absolute value (noted). */

/** Free text as a person would read it: runs of white space (banks pad Arabic narratives with them) become one space. */
export function cleanText(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const text = value.replace(/\s+/g, ' ').trim();
  return text === '' ? null : text;
}

const PRODUCT_NAMES = { CURRENT: 'Current account', SAVINGS: 'Savings account', CREDIT_CARD: 'Credit card', LOAN: 'Loan' } as const satisfies Record<AccountType, string>;

/** `OBAccount` list: an unknown sub-type reads CURRENT, an unknown status ENABLED (a bank lists the accounts it serves); an account listed twice is kept once. */
export function mapAccounts(raw: readonly KsaAccount[], bank: BankContext): Mapped<MappedAccount> {
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
    return {
      bank_account_id: a.AccountId,
      account: {
        name: cleanText(a.Description) ?? cleanText(a.Nickname) ?? PRODUCT_NAMES[type],
        type,
        currency: a.Currency ?? bank.currency,
        iban: ids.find((x) => isScheme(x.IdentificationType, 'IBAN'))?.Identification ?? null,
        account_number: ids.find((x) => isScheme(x.IdentificationType, 'AccountNumber'))?.Identification ?? null,
        bic: a.Servicer && isScheme(a.Servicer.IdentificationType, 'BICFI') ? (a.Servicer.Identification ?? null) : null,
        nickname: cleanText(a.Nickname),
        holder_name: cleanText(a.AccountHolderName) ?? ids.find((x) => x.Name !== undefined)?.Name ?? null,
        status,
        opened_at: a.OpeningDate === undefined ? null : instant(a.OpeningDate, bank),
      },
    };
  });
}

export function mapBalances(raw: readonly KsaBalance[], bank: BankContext): Mapped<Balance> {
  return mapEach(raw, (b, note): Balance | null => {
    const type = decoded(BALANCE_TYPES, b.Type, 'balance Type', note, 'balance dropped');
    const direction = decoded(CREDIT_DEBIT, b.CreditDebitIndicator, 'CreditDebitIndicator', note, 'balance dropped');
    if (type === undefined || direction === undefined) return null;
    return {
      type,
      amount: directedAmount(b.Amount, direction, note),
      credit_debit_indicator: direction,
      timestamp: instant(b.DateTime, bank),
      credit_lines: (b.CreditLine ?? []).flatMap((line) => {
        if (line.Amount === undefined) {
          note('credit line without an amount dropped');
          return [];
        }
        return [{ included: line.Included, type: decoded(CREDIT_LINE_TYPES, line.Type, 'credit line Type', note, 'read as null') ?? null, amount: unsignedAmount(line.Amount, note) }];
      }),
    };
  });
}

/** The merchant, unless the bank's way of saying "none" (`MerchantName: ""`, `MerchantId: 0`). */
function merchantOf(t: KsaTransaction): { name: string | null; category: string | null } {
  const m = t.MerchantDetails;
  return { name: cleanText(m?.MerchantName), category: cleanText(m?.MerchantCategoryCode) };
}

/**
 * What KSA says about a transaction beyond the seed's fields: mutability, payment mode, charges,
 * flags, the bill paid (SADAD) and the local time zone. Every code here is descriptive: an unknown
 * one reads null (a flag: is left out) with a note. `Flags: [null]` is an empty list, not an error.
 */
function standardFields(t: KsaTransaction, note: Note) {
  const bill = t.BillDetails;
  // `BillerId: 0` is no biller, as `MerchantId: 0` is no merchant.
  const billerId = bill?.BillerId === undefined || bill.BillerId === null || bill.BillerId === 0 ? null : cleanText(String(bill.BillerId));
  const billNumber = cleanText(bill?.BillNumber);
  const billType = decoded(BILL_PAYMENT_TYPES, bill?.BillPaymentType, 'BillPaymentType', note, 'read as null') ?? null;
  return {
    transaction_mutability: decoded(TRANSACTION_MUTABILITIES, t.TransactionMutability, 'TransactionMutability', note, 'read as null') ?? null,
    payment_mode: decoded(PAYMENT_MODES, t.PaymentModes, 'PaymentModes', note, 'read as null') ?? null,
    charge_minor: t.ChargeAmount ? unsignedMinor(t.ChargeAmount, note) : null,
    charge_currency: t.ChargeAmount?.Currency ?? null,
    charge_vat_minor: t.ChargeAmountVat ? unsignedMinor(t.ChargeAmountVat, note) : null,
    charge_vat_currency: t.ChargeAmountVat?.Currency ?? null,
    flags: t.Flags === undefined || t.Flags === null ? null : [...new Set(t.Flags.flatMap((f) => (f === null ? [] : (decoded(TRANSACTION_FLAGS, f, 'flag', note, 'left out') ?? []))))],
    // An empty `BillDetails` (`{}`, or zeros as for merchants) is no bill.
    bill: billerId === null && billNumber === null && billType === null ? null : { biller_id: billerId, bill_number: billNumber, payment_type: billType },
    local_time_zone: cleanText(t.LocalTimeZone),
  };
}

/**
 * `OBTransaction` items of one account, with their stable keys. Rejected entries and entries of an
 * unknown status or direction are dropped (with a note); the description is the narrative (white
 * space collapsed), else the merchant, else the reference.
 */
export function mapTransactions(raw: readonly KsaTransaction[], bank: BankContext): Mapped<FetchedTransaction> {
  const mapped = mapEach(raw, (t, note): Omit<FetchedTransaction, 'key'> | null => {
    const status = decoded(ENTRY_STATUSES, t.Status, 'Status', note, 'transaction dropped');
    const direction = decoded(CREDIT_DEBIT, t.CreditDebitIndicator, 'CreditDebitIndicator', note, 'transaction dropped');
    if (status === null) note('rejected transaction dropped');
    if (!status || !direction) return null;
    const merchant = merchantOf(t);
    const reference = cleanText(t.TransactionReference);
    return {
      bank_transaction_id: t.TransactionId ?? null,
      status,
      booking_at: instant(t.BookingDateTime, bank),
      value_at: t.ValueDateTime === undefined ? null : instant(t.ValueDateTime, bank),
      amount_minor: directedMinor(t.Amount, direction, note),
      currency: t.Amount.Currency,
      credit_debit: direction,
      description: cleanText(t.TransactionInformation) ?? merchant.name ?? reference ?? '',
      reference,
      merchant_name: merchant.name,
      merchant_category_code: merchant.category,
      bank_transaction_code: cleanText(t.ProprietaryBankTransactionCode?.Code) ?? cleanText(t.TransactionType),
      ...standardFields(t, note),
    };
  });
  const keys = transactionKeys(mapped.items);
  return { ...mapped, items: mapped.items.map((t, i) => ({ key: keys[i]!, ...t })) };
}

/** A date as `YYYY-MM-DD`, or null when it is not one. */
const dateOnly = (value: string | undefined) => (value !== undefined && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null);

/**
 * `/parties`: the consenting user. With `ReadPartyPSUIdentity` the bank adds what its KYC verified
 * (`VerifiedClaims`, OpenID identity assurance): the first claims set fills the name parts, birth
 * date, gender, nationalities and address, and the person's identity document (`PersonalNumber` of
 * the evidence: the Saudi national id or the residence permit, iqama) is the national identity
 * number. The OBIE-style fields, where a bank sends them, come first.
 */
export function mapIdentity(raw: KsaParty | undefined): { identity: Identity | null; notes: string[] } {
  if (raw === undefined) return { identity: null, notes: [] };
  const { items, notes } = mapEach([raw], (p, note) => {
    const claims = p.VerifiedClaims?.find((v) => v.Claims !== undefined)?.Claims;
    const evidence = (p.VerifiedClaims ?? []).flatMap((v) => v.Verification?.Evidence ?? []);
    const document = evidence.find((e) => cleanText(e.DocumentDetails?.PersonalNumber) !== null)?.DocumentDetails?.PersonalNumber;
    const record = evidence.find((e) => cleanText(e.Record?.PersonalNumber) !== null)?.Record?.PersonalNumber;
    const a = claims?.Address;
    const street = cleanText(a?.StreetAddress) ?? cleanText(a?.Formatted);
    const nationalities = (claims?.Nationalities ?? []).flatMap((n) => cleanText(n) ?? []);
    return {
      party_id: p.PartyId,
      full_name: cleanText(p.Name) ?? cleanText(claims?.Name),
      legal_name: cleanText(p.FullLegalName) ?? cleanText(claims?.Name),
      party_type: decoded(PARTY_TYPES, p.PartyType, 'PartyType', note, 'read as null') ?? null,
      national_identity_number: cleanText(document) ?? cleanText(record),
      email_address: p.EmailAddress ?? cleanText(claims?.Email),
      mobile_number: e164(p.Mobile ?? cleanText(claims?.PhoneNumber) ?? cleanText(claims?.Msisdn) ?? undefined),
      phone_number: null,
      address: a
        ? {
            lines: street === null ? [] : [street],
            building_number: null,
            street_name: null,
            town_name: cleanText(a.Locality),
            post_code: cleanText(a.PostalCode),
            country_sub_division: cleanText(a.Region),
            country: cleanText(a.Country),
          }
        : null,
      birth_date: dateOnly(claims?.BirthDate),
      // OpenID's `gender` is free text (`male`, `female`, …): upper case, as the OBIE sandbox writes it.
      gender: cleanText(claims?.Gender)?.toUpperCase() ?? null,
      given_name: cleanText(claims?.GivenName),
      middle_name: cleanText(claims?.MiddleName),
      family_name: cleanText(claims?.FamilyName),
      nationalities: claims?.Nationalities === undefined ? null : nationalities,
    };
  });
  // The one record is the whole answer: a broken one fails the resource rather than reading as no identity.
  if (items.length === 0) throw new MalformedData(notes.join('; '));
  return { identity: items[0]!, notes };
}

const optionalInstant = (value: string | undefined, bank: BankContext) => (value === undefined ? null : instant(value, bank));

/**
 * The creditor of a payment instruction. KSA lists the creditor's accounts (`CreditorAccount[]`,
 * each with its `IdentificationType` and the holder's `Name`) and the agent by `KSAOB.BICFI`.
 */
function counterparty(accounts: readonly KsaCashAccount[] | undefined, agent: KsaAgent | undefined) {
  const list = accounts ?? [];
  const scheme = (name: 'IBAN' | 'AccountNumber') => list.find((x) => isScheme(x.IdentificationType, name))?.Identification ?? null;
  return {
    name: cleanText(list.find((x) => cleanText(x.Name) !== null)?.Name),
    iban: scheme('IBAN'),
    account_number: scheme('AccountNumber'),
    bic: agent && isScheme(agent.IdentificationType, 'BICFI') ? (agent.Identification ?? null) : null,
  };
}
const hasCreditor = (x: { CreditorAccount?: unknown[]; CreditorAgent?: unknown }) => (x.CreditorAccount?.length ?? 0) > 0 || x.CreditorAgent !== undefined;

/** `OBBeneficiary`. `KSAOB.Activated` (added with SCA) is OBIE's trusted beneficiary. */
export function mapBeneficiaries(raw: readonly KsaBeneficiary[]): Mapped<Beneficiary> {
  return mapEach(raw, (b, note) => ({
    beneficiary_id: b.BeneficiaryId,
    type: decoded(BENEFICIARY_TYPES, b.BeneficiaryType, 'BeneficiaryType', note, 'read as null') ?? null,
    reference: cleanText(b.Reference),
    creditor: counterparty(b.CreditorAccount, b.CreditorAgent),
    bank_name: cleanText(b.CreditorAgent?.Name),
  }));
}

/** `OBDirectDebit`. KSA has no direct debit frequency: always null. */
export function mapDirectDebits(raw: readonly KsaDirectDebit[], bank: BankContext): Mapped<DirectDebit> {
  return mapEach(raw, (d, note) => ({
    direct_debit_id: d.DirectDebitId,
    mandate_id: d.MandateIdentification,
    name: cleanText(d.Name) ?? d.Name,
    status: decoded(INSTRUCTION_STATUSES, d.DirectDebitStatusCode, 'DirectDebitStatusCode', note, 'read as null') ?? null,
    frequency: null,
    previous_payment_amount: optionalAmount(d.PreviousPaymentAmount, note),
    previous_payment_timestamp: optionalInstant(d.PreviousPaymentDateTime, bank),
  }));
}

/** `OBStandingOrder`: the frequency as the bank writes it (OBIE's syntax); the creditor only comes with the `Detail` permission. */
export function mapStandingOrders(raw: readonly KsaStandingOrder[], bank: BankContext): Mapped<StandingOrder> {
  return mapEach(raw, (o, note) => ({
    standing_order_id: o.StandingOrderId,
    frequency: o.Frequency,
    reference: cleanText(o.Reference),
    status: decoded(INSTRUCTION_STATUSES, o.StandingOrderStatusCode, 'StandingOrderStatusCode', note, 'read as null') ?? null,
    first_payment_date: optionalInstant(o.FirstPaymentDateTime, bank),
    next_payment_date: optionalInstant(o.NextPaymentDateTime, bank),
    last_payment_date: optionalInstant(o.LastPaymentDateTime, bank),
    final_payment_date: optionalInstant(o.FinalPaymentDateTime, bank),
    first_payment_amount: optionalAmount(o.FirstPaymentAmount, note),
    next_payment_amount: optionalAmount(o.NextPaymentAmount, note),
    last_payment_amount: optionalAmount(o.LastPaymentAmount, note),
    final_payment_amount: optionalAmount(o.FinalPaymentAmount, note),
    creditor: hasCreditor(o) ? counterparty(o.CreditorAccount, o.CreditorAgent) : null,
  }));
}

/** `OBScheduledPayment`: an unknown `ScheduledType` reads EXECUTION; the reference is the creditor's, else the debtor's own. */
export function mapScheduledPayments(raw: readonly KsaScheduledPayment[], bank: BankContext): Mapped<ScheduledPayment> {
  return mapEach(raw, (p, note) => ({
    scheduled_payment_id: p.ScheduledPaymentId,
    execution_date: instant(p.ScheduledPaymentDateTime, bank),
    type: decoded(SCHEDULE_TYPES, p.ScheduledType, 'ScheduledType', note, 'read as EXECUTION') ?? 'EXECUTION',
    amount: unsignedAmount(p.InstructedAmount, note),
    reference: cleanText(p.CreditorReference) ?? cleanText(p.DebtorReference),
    creditor: hasCreditor(p) ? counterparty(p.CreditorAccount, p.CreditorAgent) : null,
  }));
}

/** `/accounts/{id}/parties`: the account's parties and their roles; as for the user, no KYC fields. */
export function mapAccountIdentities(raw: readonly KsaAccountParty[]): Mapped<AccountIdentity> {
  return mapEach(raw, (p, note) => ({
    party_id: p.PartyId,
    full_name: cleanText(p.Name),
    legal_name: cleanText(p.FullLegalName),
    party_type: decoded(PARTY_TYPES, p.PartyType, 'PartyType', note, 'read as null') ?? null,
    national_identity_number: null,
    email_address: p.EmailAddress ?? null,
    mobile_number: e164(p.Mobile),
    phone_number: null,
    address: null,
    account_role: decoded(ACCOUNT_ROLES, p.AccountRole, 'AccountRole', note, 'read as null') ?? null,
  }));
}

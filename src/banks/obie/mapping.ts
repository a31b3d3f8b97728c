import { createHash } from 'node:crypto';
import type {
  AccountIdentity,
  AccountType,
  Balance,
  Beneficiary,
  DirectDebit,
  Identity,
  ScheduledPayment,
  StandingOrder,
} from '../../domain/bank-data.ts';
import { startOfLocalDay } from '../../domain/dates.ts';
import type { FetchedAccount, FetchedTransaction } from '../../domain/snapshot.ts';
import { transactionKeys } from '../../domain/transaction-key.ts';
import { directedAmount, directedMinor, MalformedData, mapEach, optionalAmount, unsignedAmount, type Mapped, type Note } from '../records.ts';
import {
  ACCOUNT_ROLES,
  ACCOUNT_STATUSES,
  ACCOUNT_TYPES,
  BALANCE_TYPES,
  BENEFICIARY_TYPES,
  CREDIT_DEBIT,
  CREDIT_LINE_TYPES,
  decode,
  DIRECT_DEBIT_FREQUENCIES,
  ENTRY_STATUSES,
  INSTRUCTION_STATUSES,
  isScheme,
  PARTY_TYPES,
  SCHEDULE_TYPES,
} from './codes.ts';
import type {
  ObAccount,
  ObAgent,
  ObBalance,
  ObBeneficiary,
  ObCashAccount,
  ObDirectDebit,
  ObParty,
  ObScheduledPayment,
  ObStandingOrder,
  ObTransaction,
} from './wire.ts';

/**
 * OBIE records (already checked against `wire.ts`) to domain records. Pure.
 *
 * What a bank may get wrong, and what happens (docs/decisions/013-partial-data-and-bank-quirks.md):
 * - A value that breaks the OBIE format (an amount with more decimals than its currency has, a
 *   date-time that is no date-time) throws `MalformedData`: that record is skipped (`mapEach`).
 * - A code outside OBIE's lists (which are open: banks add their own) that decides what a record
 *   means (balance type, credit or debit, entry status) drops the record; one that only describes
 *   it becomes null or a documented default. Codes are read in any letter case.
 * - A signed amount is normalised: the indicator says the direction (`directedMinor`).
 * Every record dropped is counted (`Mapped.skipped`) and every note reaches the refresh's status.
 */

export { MalformedData };
export type { Mapped };

/** Where the bank is: zone-less date-times and bare dates are its local time. */
export interface BankContext {
  time_zone: string;
  /** The currency of accounts that do not say. */
  currency: string;
}

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An OBIE date-time as ISO 8601 UTC with milliseconds. OBIE requires a zone; a date-time without
 * one, or a bare date, is taken as the bank's local time, which is what such a bank means.
 */
export function instant(value: string, bank: BankContext): string {
  // Most banks already send the canonical form; accepting it after one round trip keeps mapping
  // tens of thousands of transactions cheap.
  if (CANONICAL.test(value)) {
    const at = Date.parse(value);
    if (Number.isFinite(at) && new Date(at).toISOString() === value) return value;
  }
  const m = DATE_TIME.exec(value.trim());
  if (m) {
    const [, date, hh = '00', mm = '00', ss = '00', fraction = '', zone] = m;
    const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
    const day = Date.parse(`${date}T00:00:00Z`);
    const realDate = Number.isFinite(day) && new Date(day).toISOString().startsWith(date!);
    if (realDate && +hh < 24 && +mm < 60 && +ss < 60) {
      const at = zone
        ? Date.parse(`${date}T${hh}:${mm}:${ss}.${String(ms).padStart(3, '0')}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone.toUpperCase()}`)
        : Date.parse(startOfLocalDay(date!, bank.time_zone)) + ((+hh * 60 + +mm) * 60 + +ss) * 1000 + ms;
      if (Number.isFinite(at)) return new Date(at).toISOString();
    }
  }
  throw new MalformedData(`${JSON.stringify(value)} is not an ISO 8601 date-time`);
}

const optionalInstant = (value: string | undefined, bank: BankContext) => (value === undefined ? null : instant(value, bank));



/** A code the bank sent that is not in the list, as a note; `undefined` (no code) says nothing. */
function decoded<M extends Readonly<Record<string, unknown>>>(map: M, code: string | undefined, field: string, note: Note, otherwise: string): M[keyof M] | undefined {
  if (code === undefined) return undefined;
  const value = decode(map, code);
  if (value === undefined) note(`unknown ${field} ${JSON.stringify(code)}: ${otherwise}`);
  return value;
}

/** A stand-in id for a record the bank gave none, from its content, so it stays put between fetches. */
function contentId(record: object): string {
  return `fp:${createHash('sha256').update(JSON.stringify(record)).digest().subarray(0, 16).toString('base64url')}`;
}

/** OBIE `PhoneNumber` (`+971-501234567`) to E.164 (`+971501234567`); anything else as it came. */
export function e164(phone: string | undefined): string | null {
  if (phone === undefined) return null;
  return /^\+\d{1,3}-/.test(phone) ? `+${phone.replace(/\(0\)/g, '').replace(/\D/g, '')}` : phone;
}

function counterparty(account: ObCashAccount | undefined, agent: ObAgent | undefined) {
  return {
    name: account?.Name ?? null,
    iban: account && isScheme(account.SchemeName, 'IBAN') ? (account.Identification ?? null) : null,
    account_number: account && isScheme(account.SchemeName, 'BBAN') ? (account.Identification ?? null) : null,
    bic: agent && isScheme(agent.SchemeName, 'BICFI') ? (agent.Identification ?? null) : null,
  };
}

const PRODUCT_NAMES = {
  CURRENT: 'Current account',
  SAVINGS: 'Savings account',
  CREDIT_CARD: 'Credit card',
  LOAN: 'Loan',
} as const satisfies Record<AccountType, string>;

/** The parts of a fetched account the account list gives; the connector adds the other resources. */
export type MappedAccount = Pick<FetchedAccount, 'bank_account_id' | 'account'>;

/**
 * `OBAccount6` list. An unknown or missing sub-type reads CURRENT and a missing status ENABLED (a
 * bank lists the accounts it serves); an account listed twice is kept once.
 */
export function mapAccounts(raw: readonly ObAccount[], bank: BankContext): Mapped<MappedAccount> {
  const seen = new Set<string>();
  return mapEach(raw, (a, note): MappedAccount | null => {
    if (seen.has(a.AccountId)) {
      note('account listed twice; kept once');
      return null;
    }
    seen.add(a.AccountId);
    const type = decoded(ACCOUNT_TYPES, a.AccountSubType, 'AccountSubType', note, 'read as CURRENT') ?? 'CURRENT';
    const status = decoded(ACCOUNT_STATUSES, a.Status, 'Status', note, 'read as ENABLED') ?? 'ENABLED';
    const ids = a.Account ?? [];
    return {
      bank_account_id: a.AccountId,
      account: {
        name: a.Description ?? a.Nickname ?? PRODUCT_NAMES[type],
        type,
        currency: a.Currency ?? bank.currency,
        iban: ids.find((x) => isScheme(x.SchemeName, 'IBAN'))?.Identification ?? null,
        account_number: ids.find((x) => isScheme(x.SchemeName, 'BBAN'))?.Identification ?? null,
        bic: a.Servicer && isScheme(a.Servicer.SchemeName, 'BICFI') ? (a.Servicer.Identification ?? null) : null,
        nickname: a.Nickname ?? null,
        holder_name: ids.find((x) => x.Name !== undefined)?.Name ?? null,
        status,
        opened_at: optionalInstant(a.OpeningDate, bank),
      },
    };
  });
}

/** `OBReadBalance1` items; one of an unknown type or direction is dropped, a credit line of an unknown type keeps a null type. */
export function mapBalances(raw: readonly ObBalance[], bank: BankContext): Mapped<Balance> {
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
        const lineType = decoded(CREDIT_LINE_TYPES, line.Type, 'credit line Type', note, 'read as null');
        return [{ included: line.Included, type: lineType ?? null, amount: unsignedAmount(line.Amount, note) }];
      }),
    };
  });
}

/**
 * `OBTransaction6` items of one account, with their stable keys (`transactionKeys`). Rejected
 * entries and entries of an unknown status or direction are dropped. The description is the
 * narrative, else the merchant, else the reference.
 */
export function mapTransactions(raw: readonly ObTransaction[], bank: BankContext): Mapped<FetchedTransaction> {
  const mapped = mapEach(raw, (t, note): Omit<FetchedTransaction, 'key'> | null => {
    const status = decoded(ENTRY_STATUSES, t.Status, 'Status', note, 'transaction dropped');
    const direction = decoded(CREDIT_DEBIT, t.CreditDebitIndicator, 'CreditDebitIndicator', note, 'transaction dropped');
    if (status === null) note('rejected transaction dropped');
    if (!status || !direction) return null;
    const merchant = t.MerchantDetails;
    return {
      bank_transaction_id: t.TransactionId ?? null,
      status,
      booking_at: instant(t.BookingDateTime, bank),
      value_at: optionalInstant(t.ValueDateTime, bank),
      amount_minor: directedMinor(t.Amount, direction, note),
      currency: t.Amount.Currency,
      credit_debit: direction,
      description: t.TransactionInformation ?? merchant?.MerchantName ?? t.TransactionReference ?? '',
      reference: t.TransactionReference ?? null,
      merchant_name: merchant?.MerchantName ?? null,
      merchant_category_code: merchant?.MerchantCategoryCode ?? null,
      bank_transaction_code: t.BankTransactionCode ? `${t.BankTransactionCode.Code}.${t.BankTransactionCode.SubCode}` : (t.ProprietaryBankTransactionCode?.Code ?? null),
    };
  });
  const keys = transactionKeys(mapped.items);
  return { ...mapped, items: mapped.items.map((t, i) => ({ key: keys[i]!, ...t })) };
}

export function mapBeneficiaries(raw: readonly ObBeneficiary[]): Mapped<Beneficiary> {
  return mapEach(raw, (b, note) => ({
    beneficiary_id: b.BeneficiaryId ?? contentId(b),
    type: decoded(BENEFICIARY_TYPES, b.BeneficiaryType, 'BeneficiaryType', note, 'read as null') ?? null,
    reference: b.Reference ?? null,
    creditor: counterparty(b.CreditorAccount, b.CreditorAgent),
    bank_name: b.CreditorAgent?.Name ?? null,
  }));
}

export function mapDirectDebits(raw: readonly ObDirectDebit[], bank: BankContext): Mapped<DirectDebit> {
  return mapEach(raw, (d, note) => ({
    direct_debit_id: d.DirectDebitId ?? d.MandateIdentification,
    mandate_id: d.MandateIdentification,
    name: d.Name,
    status: decoded(INSTRUCTION_STATUSES, d.DirectDebitStatusCode, 'DirectDebitStatusCode', note, 'read as null') ?? null,
    frequency: decoded(DIRECT_DEBIT_FREQUENCIES, d.Frequency, 'Frequency', note, 'read as null') ?? null,
    previous_payment_amount: optionalAmount(d.PreviousPaymentAmount, note),
    previous_payment_timestamp: optionalInstant(d.PreviousPaymentDateTime, bank),
  }));
}

/** The creditor only comes with the `Detail` permission; without it, null. */
export function mapStandingOrders(raw: readonly ObStandingOrder[], bank: BankContext): Mapped<StandingOrder> {
  return mapEach(raw, (s, note) => ({
    standing_order_id: s.StandingOrderId ?? contentId(s),
    frequency: s.Frequency,
    reference: s.Reference ?? null,
    status: decoded(INSTRUCTION_STATUSES, s.StandingOrderStatusCode, 'StandingOrderStatusCode', note, 'read as null') ?? null,
    first_payment_date: optionalInstant(s.FirstPaymentDateTime, bank),
    next_payment_date: optionalInstant(s.NextPaymentDateTime, bank),
    last_payment_date: optionalInstant(s.LastPaymentDateTime, bank),
    final_payment_date: optionalInstant(s.FinalPaymentDateTime, bank),
    first_payment_amount: optionalAmount(s.FirstPaymentAmount, note),
    next_payment_amount: optionalAmount(s.NextPaymentAmount, note),
    last_payment_amount: optionalAmount(s.LastPaymentAmount, note),
    final_payment_amount: optionalAmount(s.FinalPaymentAmount, note),
    creditor: s.CreditorAccount || s.CreditorAgent ? counterparty(s.CreditorAccount, s.CreditorAgent) : null,
  }));
}

/** An unknown `ScheduledType` reads EXECUTION, the usual meaning of a payment's date. */
export function mapScheduledPayments(raw: readonly ObScheduledPayment[], bank: BankContext): Mapped<ScheduledPayment> {
  return mapEach(raw, (p, note) => ({
    scheduled_payment_id: p.ScheduledPaymentId ?? contentId(p),
    execution_date: instant(p.ScheduledPaymentDateTime, bank),
    type: decoded(SCHEDULE_TYPES, p.ScheduledType, 'ScheduledType', note, 'read as EXECUTION') ?? 'EXECUTION',
    amount: unsignedAmount(p.InstructedAmount, note),
    reference: p.Reference ?? null,
    creditor: p.CreditorAccount || p.CreditorAgent ? counterparty(p.CreditorAccount, p.CreditorAgent) : null,
  }));
}

/**
 * `OBParty2` fields both party resources share. OBIE has no field for a national id number
 * (`PartyNumber` is the bank's customer number), so it is null; the first address is the one kept.
 */
function partyFields(p: ObParty, note: Note) {
  const a = p.Address?.[0];
  return {
    party_id: p.PartyId,
    full_name: p.Name ?? null,
    legal_name: p.FullLegalName ?? null,
    party_type: decoded(PARTY_TYPES, p.PartyType, 'PartyType', note, 'read as null') ?? null,
    national_identity_number: null,
    email_address: p.EmailAddress ?? null,
    mobile_number: e164(p.Mobile),
    phone_number: e164(p.Phone),
    address: a
      ? {
          lines: a.AddressLine ?? [],
          building_number: a.BuildingNumber ?? null,
          street_name: a.StreetName ?? null,
          town_name: a.TownName ?? null,
          post_code: a.PostCode ?? null,
          country_sub_division: a.CountrySubDivision ?? null,
          country: a.Country ?? null,
        }
      : null,
  };
}

/** `/accounts/{id}/parties`. */
export function mapAccountIdentities(raw: readonly ObParty[]): Mapped<AccountIdentity> {
  return mapEach(raw, (p, note) => ({
    ...partyFields(p, note),
    account_role: decoded(ACCOUNT_ROLES, p.AccountRole, 'AccountRole', note, 'read as null') ?? null,
  }));
}

/** OBIE parties carry no verified claims: the identity's added name and nationality fields are null. */
const NO_VERIFIED_NAMES = { given_name: null, middle_name: null, family_name: null, nationalities: null } as const;

/** `/party`: the consenting user. Birth date and gender are KYC data OBIE has no field for. */
export function mapIdentity(raw: ObParty | undefined): { identity: Identity | null; notes: string[] } {
  if (raw === undefined) return { identity: null, notes: [] };
  const { items, notes } = mapEach([raw], (p, note) => ({ ...partyFields(p, note), birth_date: null, gender: null, ...NO_VERIFIED_NAMES }));
  // The one record is the whole answer: a broken one fails the resource rather than reading as no identity.
  if (items.length === 0) throw new MalformedData(notes.join('; '));
  return { identity: items[0]!, notes };
}

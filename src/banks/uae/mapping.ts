import type { Amount, Balance } from '../../domain/bank-data.ts';
import { toAmount, toMinor } from '../../domain/money.ts';
import type { FetchedTransaction } from '../../domain/snapshot.ts';
import { transactionKeys } from '../../domain/transaction-key.ts';
import { instant, MalformedData, type BankContext, type Mapped, type MappedAccount } from '../obie/mapping.ts';
import type { UaeAccount, UaeBalance, UaeTransaction } from '../../standards/uae-2.1/wire.ts';
import { ACCOUNT_STATUSES, ACCOUNT_TYPES, BALANCE_TYPES, CREDIT_DEBIT, decode, ENTRY_STATUSES } from './codes.ts';

/**
 * UAE v2.1 records to domain records. Pure. The same rules as the OBIE mapping
 * (docs/decisions/005-obie-connector.md): a value that breaks the format throws `MalformedData`
 * (the fetch fails, the last good data stays); a code that decides what a record means and is not
 * in the UAE list drops the record with a note; a descriptive one falls back with a note. Date-time
 * parsing is the OBIE mapping's: a zone-less value is the bank's local time (Asia/Dubai).
 */

export { MalformedData, type BankContext, type Mapped, type MappedAccount };

type Note = (text: string) => void;

function mapEach<W, D>(raw: readonly W[], one: (record: W, note: Note) => D | null): Mapped<D> {
  const notes: string[] = [];
  const items: D[] = [];
  raw.forEach((record, i) => {
    const item = one(record, (text) => notes.push(`#${i}: ${text}`));
    if (item !== null) items.push(item);
  });
  return { items, notes };
}

function decoded<M extends Readonly<Record<string, unknown>>>(map: M, code: string | undefined, field: string, note: Note, otherwise: string): M[keyof M] | undefined {
  if (code === undefined) return undefined;
  const value = decode(map, code);
  if (value === undefined) note(`unknown ${field} ${JSON.stringify(code)}: ${otherwise}`);
  return value;
}

/** UAE amounts are decimal strings, with or without decimals (`"120"`, `"120.5"`, `"120.50"`). */
function minor(amount: { Amount: string; Currency: string }): number {
  try {
    return toMinor(amount.Amount, amount.Currency);
  } catch (err) {
    throw new MalformedData((err as Error).message);
  }
}

function amountOf(amount: { Amount: string; Currency: string }): Amount {
  return { amount: toAmount(minor(amount), amount.Currency), currency: amount.Currency };
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
    return { type, amount: amountOf(b.Amount), credit_debit_indicator: direction, timestamp: instant(b.DateTime, bank), credit_lines: [] };
  });
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
      replaces_pending_key: null,
      status,
      booking_at: instant(t.BookingDateTime, bank),
      value_at: t.ValueDateTime === undefined ? null : instant(t.ValueDateTime, bank),
      amount_minor: minor(t.Amount),
      currency: t.Amount.Currency,
      credit_debit: direction,
      description: t.TransactionInformation ?? merchant?.MerchantName ?? t.TransactionReference ?? '',
      reference: t.TransactionReference ?? null,
      merchant_name: merchant?.MerchantName ?? null,
      merchant_category_code: merchant?.MerchantCategoryCode ?? null,
      bank_transaction_code: code?.DomainCode ? [code.DomainCode, code.FamilyCode, code.SubFamilyCode].filter(Boolean).join('.') : (t.ProprietaryBankTransactionCode?.Code ?? `${t.TransactionType}.${t.SubTransactionType}`),
    };
  });
  const keys = transactionKeys(mapped.items);
  return { items: mapped.items.map((t, i) => ({ key: keys[i]!, ...t })), notes: mapped.notes };
}

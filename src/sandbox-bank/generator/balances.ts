import { formatAmount } from '../money.ts';
import type { AccountPlan } from './accounts.ts';
import type { CreditDebit, GeneratedBalance, ObAmount } from './model.ts';
import type { LedgerAccount } from './ledger.ts';

function signed(minor: number, currency: string): { creditDebitIndicator: CreditDebit; amount: ObAmount } {
  return {
    creditDebitIndicator: minor < 0 ? 'Debit' : 'Credit',
    amount: { amount: formatAmount(Math.abs(minor), currency), currency },
  };
}

/**
 * The account's balances, exact to the minor unit: OpeningBooked at opening; InterimBooked =
 * opening + every booked entry; InterimAvailable = InterimBooked − pending debits, plus a card's
 * unused limit (pending credits are not spendable until they book).
 */
export function balancesOf(account: AccountPlan, ledger: LedgerAccount, currency: string, openedAt: string, asOf: string): GeneratedBalance[] {
  const booked = account.openingMinor + ledger.bookedMinor;
  const limit = account.creditLimitMinor;
  const available = booked - ledger.pendingDebitMinor + (limit ?? 0);
  const creditLine = (included: boolean) =>
    limit === null ? [] : [{ included, type: 'Credit' as const, amount: { amount: formatAmount(limit, currency), currency } }];
  return [
    { type: 'OpeningBooked', ...signed(account.openingMinor, currency), dateTime: openedAt, creditLine: [] },
    { type: 'InterimBooked', ...signed(booked, currency), dateTime: asOf, creditLine: creditLine(false) },
    { type: 'InterimAvailable', ...signed(available, currency), dateTime: asOf, creditLine: creditLine(true) },
  ];
}

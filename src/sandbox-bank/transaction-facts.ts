import { hash32 } from './faults.ts';
import type { GeneratedTransaction, ObAmount } from './generator/model.ts';
import { formatAmount } from './money.ts';

/**
 * What a Gulf bank says about a transaction beyond OBIE's fields (UAE v2.1 and KSA 2022.11 share
 * them: `Flags`, `BillDetails`, `ChargeAmount(Vat)`), derived from the generator's record so both
 * standards' routes tell the same story in their own spelling. Deterministic per transaction.
 */
export interface TransactionFacts {
  /** The one flag the entry carries, in the words both standards share (`Loan` is the UAE's `Finance`). */
  flag: 'Payroll' | 'DirectDebit' | 'StandingOrder' | 'Loan' | null;
  /** A bill payment's SADAD-style bill: the biller's numeric code and the customer's contract number. */
  bill: { billerId: number; billNumber: string; type: 'Post-Paid' | 'RecurringPayment' } | null;
  /** The generator itemises fees as their own entries: such an entry is the charge, with its VAT. */
  charge: { amount: ObAmount; vat: ObAmount } | null;
}

const FLAGS: Readonly<Record<string, TransactionFacts['flag']>> = {
  SalaryPayment: 'Payroll',
  DirectDebitPayment: 'DirectDebit',
  StandingOrder: 'StandingOrder',
  Drawdown: 'Loan',
  Repayment: 'Loan',
};

/** The amount in minor units: the generator writes every decimal (`formatAmount`), so the digits are the minor units. */
const minorOf = (a: ObAmount) => Number(a.amount.replace('.', ''));

/** `vatPercent`: the country's VAT on bank fees (5 in the UAE, 15 in Saudi Arabia). */
export function transactionFacts(t: GeneratedTransaction, vatPercent: number): TransactionFacts {
  const { subCode } = t.bankTransactionCode;
  const biller = subCode === 'BillPayment' ? (t.merchantDetails?.merchantName ?? t.transactionInformation) : null;
  return {
    flag: FLAGS[subCode] ?? null,
    bill:
      biller === null
        ? null
        : {
            billerId: (hash32(biller) % 250) + 1,
            billNumber: t.transactionReference ?? t.transactionId,
            type: hash32(biller) % 2 === 0 ? 'Post-Paid' : 'RecurringPayment',
          },
    charge:
      subCode === 'Fees'
        ? { amount: t.amount, vat: { amount: formatAmount(Math.round((minorOf(t.amount) * vatPercent) / 100), t.amount.currency), currency: t.amount.currency } }
        : null,
  };
}

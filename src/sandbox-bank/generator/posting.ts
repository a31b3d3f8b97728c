import type { AccountPlan } from './accounts.ts';
import type { ActivityMix } from './activity.ts';
import type { CalendarDay } from './calendar.ts';
import type { BankTransactionCode, GeneratedTransaction, MerchantDetails } from './model.ts';
import type { CustomerPlan } from './plan.ts';
import type { Rng } from './prng.ts';
import type { Merchant } from './spend-categories.ts';

/**
 * What life events post into the ledger (ledger.ts): drafts of the day's entries on the
 * customer's account books, which the ledger then books in time order.
 */

const code = (c: string, subCode: string): BankTransactionCode => Object.freeze({ code: c, subCode });

/** ISO 20022 bank transaction family and sub-family names, as OBIE `BankTransactionCode` carries them. */
export const CODES = {
  salary: code('ReceivedCreditTransfers', 'SalaryPayment'),
  transferIn: code('ReceivedCreditTransfers', 'DomesticCreditTransfer'),
  transferOut: code('IssuedCreditTransfers', 'DomesticCreditTransfer'),
  remittance: code('IssuedCreditTransfers', 'CrossBorderCreditTransfer'),
  standingOrder: code('IssuedCreditTransfers', 'StandingOrder'),
  billPayment: code('IssuedCreditTransfers', 'BillPayment'),
  ownTransferOut: code('IssuedCreditTransfers', 'InternalBookTransfer'),
  ownTransferIn: code('ReceivedCreditTransfers', 'InternalBookTransfer'),
  directDebit: code('ReceivedDirectDebits', 'DirectDebitPayment'),
  cheque: code('IssuedCheques', 'ChequeCleared'),
  cardPurchase: code('CustomerCardTransactions', 'PointOfSalePayment'),
  cashWithdrawal: code('CustomerCardTransactions', 'CashWithdrawal'),
  cardRefund: code('CustomerCardTransactions', 'Reversal'),
  fee: code('MiscellaneousDebitOperations', 'Fees'),
  tax: code('MiscellaneousDebitOperations', 'Taxes'),
  profitCredit: code('MiscellaneousCreditOperations', 'Interest'),
  profitCharge: code('MiscellaneousDebitOperations', 'Interest'),
  loanDrawdown: code('ConsumerLoans', 'Drawdown'),
  loanRepayment: code('ConsumerLoans', 'Repayment'),
} as const;

export interface Draft {
  ms: number;
  /** Positive; the direction is `credit`. */
  minor: number;
  credit: boolean;
  info: string;
  reference: string | null;
  code: BankTransactionCode;
  merchant?: MerchantDetails;
  /** Card authorisations are pending for a while before they book. */
  card?: boolean;
  /** Spending a customer only does with money to spare: declined when it would overdraw the account. */
  discretionary?: boolean;
  /** The standing order or mandate it executes, to report their last payment. */
  instruction?: string;
}

/** One account while its history is played out. */
export interface AccountBook {
  plan: AccountPlan;
  mix: ActivityMix;
  /** Signed balance over every generated entry, pending or not: what spending decisions see. */
  balance: number;
  /** A card's last statement: the amount due and the day it is paid. */
  statement: { dueDay: number; minor: number } | null;
  drafts: Draft[];
  /** Statement narrative per merchant, built once: debit-card and credit-card statements word purchases differently. */
  purchaseLabels: Map<Merchant, string>;
  transactions: GeneratedTransaction[];
  bookedMinor: number;
  pendingDebitMinor: number;
}

/** The customer's books, index-aligned with the plan's accounts, and each kind the customer may hold. */
export interface Books {
  all: AccountBook[];
  current: AccountBook;
  card: AccountBook | null;
  savings: AccountBook | null;
  loan: AccountBook | null;
}

/** A day of the customer's scheduled life, as the life events see it. */
export interface CustomerDay {
  plan: CustomerPlan;
  books: Books;
  cal: CalendarDay;
  /** The day's one stream: the events draw from it in the order the ledger runs them. */
  rng: Rng;
  /** A random instant between two local hours of the day. */
  at(fromHour: number, toHour: number): number;
}

/** A day of one account's everyday activity. */
export interface AccountDay {
  plan: CustomerPlan;
  book: AccountBook;
  cal: CalendarDay;
  /** The account's stream for the day. */
  rng: Rng;
}

export function post(book: AccountBook, draft: Draft): void {
  book.drafts.push(draft);
}

export function isOpen(book: AccountBook | null, day: number): book is AccountBook {
  return book !== null && book.plan.openDay <= day;
}

const merchantDetails = new WeakMap<Merchant, MerchantDetails>();

/** A merchant's OBIE details, one frozen object per merchant shared by all its entries. */
export function detailsOf(merchant: Merchant): MerchantDetails {
  let d = merchantDetails.get(merchant);
  if (!d) {
    d = Object.freeze({ merchantName: merchant.name, merchantCategoryCode: merchant.mcc });
    merchantDetails.set(merchant, d);
  }
  return d;
}

/** Statements print names in capitals. */
export function upper(text: string): string {
  return text.toUpperCase();
}

/** Own accounts are named on statements by their last four digits. */
export function last4(accountNumber: string): string {
  return accountNumber.slice(-4);
}
